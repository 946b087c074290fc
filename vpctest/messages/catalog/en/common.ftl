# Words shared by every room. Codes are kebab-case: <room>-<what>.
status-pass = pass
status-fail = fail
status-warn = warn
status-unknown = unknown
status-skipped = skipped

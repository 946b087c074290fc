# Fixes: the change a failing check proposes (vpctest.diagnostics.fixes).
# Each kind has four codes, fix-<kind> and the suffixes of fixes.Wording:
#   fix-<kind>         the change in a sentence (vpc-test check's "Fix" line)
#   fix-<kind>-note    the end of a check's summary
#   fix-<kind>-mrkdwn  the change in Slack's approval message (ids as code)
#   fix-<kind>-change  the kind of change in a few words (a review form's first field)

## authorize_security_group: $group, $protocol, $ports ("8080/8080"), $sources, $priority

fix-authorize-security-group = in { $group }, allow { $protocol } { $ports } from { $sources } at priority { $priority }
fix-authorize-security-group-note = fix: allow { $protocol } { $ports } from { $sources } in { $group } at priority { $priority }
fix-authorize-security-group-mrkdwn = In `{ $group }`, accept { $protocol } { $ports } from { $sources } at priority { $priority }
fix-authorize-security-group-change = add an inbound accept rule

## add_acl_entries: $acl, $entries

fix-add-acl-entries = add { $entries } to access control list { $acl }
fix-add-acl-entries-note = fix: add { $entries } to { $acl }
fix-add-acl-entries-mrkdwn = Add { $entries } to access control list `{ $acl }`
fix-add-acl-entries-change = add entries to a CLB access control list

## The labels of a fix's fields, field by field

fix-field-change = Change
fix-field-security-group = Security group
fix-field-protocol-and-port = Protocol and port
fix-field-source-cidrs = Source CIDRs
fix-field-priority = Priority
fix-field-acl = Access control list
fix-field-entries = Entries

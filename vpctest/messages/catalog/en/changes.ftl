# What changed between two diagnoses of one authorization (vpctest/diagnostics/changes.py):
# the lines of a watch's message and of `vpc-test watch --once`.

change-check-status = { $check }: { $was } → { $now }: { $summary }
change-rule-gone = { $group }: rule { $policy } { $protocol } { $ports } from { $source } was removed ({ $cidrs } no longer admitted)
change-rule-no-longer-drops = { $group }: rule { $policy } { $protocol } { $ports } from { $source } no longer decides { $cidrs }
change-rule-admits = { $group }: rule { $policy } { $protocol } { $ports } from { $source } at priority { $priority } now admits { $cidrs }
change-rule-drops = { $group }: rule { $policy } { $protocol } { $ports } from { $source } at priority { $priority } now drops { $cidrs }
change-security-groups = security groups: { $was } → { $now }
change-listener-status = { $now ->
    [stopped] { $clb } listener { $listener } stopped
    [running] { $clb } listener { $listener } is running again
   *[other] { $clb } listener { $listener } is { $now } (was { $was })
  }
change-clb-status = { $clb } is { $now } (was { $was })
change-acl-setting = the listener's access control: { $field } { $was } → { $now }
change-acl-denies = { $acl } no longer admits { $cidrs }
change-acl-admits = { $acl } now admits { $cidrs }
change-backend-added = backend { $server }:{ $port } joined { $group }
change-backend-removed = backend { $server }:{ $port } left { $group }
change-backend-health = backend { $server }:{ $port } in { $group }: health { $was } → { $now }
change-instance-status = { $instance } is { $now } (was { $was })
change-instance-health = { $instance }: health { $was } → { $now }
change-connectivity = { $connected ->
    [true] the connectivity test connects again
   *[false] the connectivity test no longer connects
  }
change-field = { $check }: { $field } { $was } → { $now }

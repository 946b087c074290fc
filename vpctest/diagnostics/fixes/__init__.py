"""The fixes a diagnosis proposes, one class per kind, and what applying one changed.

- base.py: `Fix` (the interface every kind implements, and the registry by kind that
  `Fix.from_json` reads), `AppliedFix`, `FixError`, `Wording`, `Field`;
- security_group.py: `AuthorizeSecurityGroup` (`authorize_security_group`);
- acl_entries.py: `AddAclEntries` (`add_acl_entries`).

A new kind is one new module with one `Fix` subclass, imported here (so it is registered
whenever fixes are read), and its entries in vpctest/messages/catalog/en/fixes.ftl.
Nothing outside this package looks at a fix's kind.
"""

# Importing a kind's module registers it.
from vpctest.diagnostics.fixes.acl_entries import AddAclEntries
from vpctest.diagnostics.fixes.base import (
    DESCRIPTION_LIMIT,
    AppliedFix,
    Field,
    Fix,
    FixError,
    Wording,
    fix_class,
    known_kinds,
)
from vpctest.diagnostics.fixes.security_group import AuthorizeSecurityGroup

__all__ = [
    "DESCRIPTION_LIMIT",
    "AddAclEntries",
    "AppliedFix",
    "AuthorizeSecurityGroup",
    "Field",
    "Fix",
    "FixError",
    "Wording",
    "fix_class",
    "known_kinds",
]

"""Staff users and the merchants they work for, from the shell or a script.

    manage.py staff_member add --username U [--password P] --merchant SLUG [--merchant SLUG…]
                               [--group "Support agent"|"Support lead"] [--role agent|lead] [--money-limit N|none]
    manage.py staff_member remove --username U [--merchant SLUG…]   (no --merchant: every membership, the
                                                                      support groups and staff status)
    manage.py staff_member list [--merchant SLUG] [--username U]

A staff user sees only the merchants they are a member of in the admin (superusers see all). The group
says what they may do (leads issue refunds and credit and approve requests above a limit); the role
(default: lead for the Support lead group, else agent) who may approve for that merchant; the money
limit, the amount above which their refunds and credit wait for a lead's approval.
"""
from django.core.management.base import BaseCommand, CommandError

from tracking.staff.models import StaffMembership
from tracking.staff.services import KEEP, SUPPORT_GROUPS, StaffError, staff_member_add, staff_member_remove


def _limit(value: str):
    if value.strip().lower() in ("none", "no", ""):
        return None
    return value


class Command(BaseCommand):
    help = "Add, remove or list staff members of merchants (with their support group and money limit)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Create the staff user if needed and make them a member of merchants.")
        add.add_argument("--username", required=True)
        add.add_argument("--password", default="", help="Set (or reset) the password.")
        add.add_argument("--merchant", action="append", required=True, metavar="SLUG",
                         help="Merchant slug; repeat for several.")
        add.add_argument("--group", choices=SUPPORT_GROUPS, default=None)
        add.add_argument("--role", choices=StaffMembership.Role.values, default=None)
        add.add_argument("--money-limit", type=_limit, default=KEEP, metavar="N",
                         help="Refunds/credit above this need a lead's approval; 'none' clears it.")
        remove = sub.add_parser("remove", help="Remove memberships (without --merchant: all, and staff status).")
        remove.add_argument("--username", required=True)
        remove.add_argument("--merchant", action="append", default=[], metavar="SLUG")
        lst = sub.add_parser("list", help="List memberships.")
        lst.add_argument("--merchant", default="", metavar="SLUG")
        lst.add_argument("--username", default="")

    def handle(self, *args, **options):
        try:
            getattr(self, f"_{options['action']}")(options)
        except StaffError as exc:
            raise CommandError(str(exc)) from None

    def _add(self, options):
        added = staff_member_add(username=options["username"], password=options["password"] or None,
                                 merchant_slugs=options["merchant"], group=options["group"], role=options["role"],
                                 money_limit=options["money_limit"])
        verb = "Created" if added.user_created else "Updated"
        slugs = ", ".join(m.merchant.slug for m in added.memberships)
        self.stdout.write(self.style.SUCCESS(f"{verb} staff user {added.user.get_username()}: member of {slugs}"))
        if added.user_created and not options["password"]:
            self.stdout.write(self.style.WARNING("No password set: use `manage.py changepassword` or a reset."))

    def _remove(self, options):
        removed = staff_member_remove(username=options["username"], merchant_slugs=options["merchant"])
        self.stdout.write(self.style.SUCCESS(f"Removed {removed} membership(s) of {options['username']}."))

    def _list(self, options):
        memberships = StaffMembership.objects.select_related("user", "merchant").prefetch_related("user__groups")
        memberships = memberships.order_by("merchant__slug", "user__username")
        if options["merchant"]:
            memberships = memberships.filter(merchant__slug=options["merchant"])
        if options["username"]:
            memberships = memberships.filter(user__username=options["username"])
        for membership in memberships:
            user = membership.user
            groups = ",".join(sorted(g.name for g in user.groups.all())) or "-"
            limit = membership.money_limit if membership.money_limit is not None else "-"
            self.stdout.write(f"{user.get_username()}\t{membership.merchant.slug}\t{membership.role}\t{limit}\t{groups}"
                              f"{'' if user.is_active else chr(9) + 'inactive'}")

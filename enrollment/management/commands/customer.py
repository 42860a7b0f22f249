import json

from django.core.management.base import BaseCommand, CommandError

from enrollment import support


class Command(BaseCommand):
    help = (
        "Show what the admin's customer page shows, as text (or --json for scripts): state, latest "
        "confirmation link, language, billing accounts and roles, invitations, the last 20 audit "
        "events and emails. Find the customer by User Name, email or 10-digit account number. "
        "Exits non-zero when no customer matches."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "identifier", help="User Name (exact), email (any case) or account number."
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="One JSON object on stdout."
        )

    def handle(self, *args, identifier, as_json: bool = False, **options):
        user = support.customer_find(identifier=identifier)
        if user is None:
            raise CommandError(
                f"No customer has the User Name, email or account number {identifier!r}."
            )
        overview = support.customer_overview(user=user)
        data = _as_data(overview)
        if as_json:
            self.stdout.write(_dumps(data))
            return
        self.stdout.write(f"{data['username']} <{data['email']}>  {' · '.join(data['states'])}")
        self.stdout.write(
            f"Language: {data['preferred_language']}   Latest confirmation link: "
            f"{data['confirmation_sent_at'] or '—'}   Last email bounced: {data['email_bounced_at'] or 'no'}"
        )
        self.stdout.write("Billing accounts:")
        for row in data["accounts"] or [{"account_number": "—", "role": "", "service_address": ""}]:
            self.stdout.write(f"  {row['account_number']}  {row['role']}  {row['service_address']}")
        self.stdout.write("Invitations:")
        for row in data["invitations"] or [{"account_number": "—", "state": "", "invited_by": ""}]:
            self.stdout.write(f"  {row['account_number']}  {row['state']}  {row['invited_by']}")
        self.stdout.write("Last audit events:")
        for row in data["audit_events"]:
            self.stdout.write(f"  {row['at']}  {row['kind']}  {row['ip'] or ''}")
        self.stdout.write("Last emails:")
        for row in data["emails"]:
            self.stdout.write(f"  {row['created_at']}  {row['kind']}  {row['status']}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def _iso(value):
    return value.isoformat() if value else None


def _as_data(overview: support.CustomerOverview) -> dict:
    user = overview.user
    return {
        "username": user.username,
        "email": user.email,
        "states": overview.states,
        "signin_paused": overview.signin_paused,
        "preferred_language": user.preferred_language,
        "confirmation_sent_at": _iso(user.confirmation_sent_at),
        "email_bounced_at": _iso(user.email_bounced_at),
        "accounts": [
            {
                "account_number": e.account.account_number,
                "role": e.role,
                "service_address": e.account.service_address,
            }
            for e in overview.enrollments
        ],
        "invitations": [
            {
                "account_number": i.account.account_number,
                "state": i.state,
                "role": i.role,
                "invited_by": i.invited_by.username,
            }
            for i in overview.invitations
        ],
        "audit_events": [
            {"at": _iso(a.at), "kind": a.kind, "ip": a.ip} for a in overview.audit_events
        ],
        "emails": [
            {"created_at": _iso(m.created_at), "kind": m.kind, "status": m.status}
            for m in overview.emails
        ],
    }

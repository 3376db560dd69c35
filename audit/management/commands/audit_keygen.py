"""`manage.py audit_keygen`: print a new Ed25519 key pair for signing audit checkpoints.

Prints the private key (for `AUDIT_SIGNING_KEY`) and the public key (for the auditors) and
stores neither.
"""

from django.core.management.base import BaseCommand

from audit.checkpoint import generate_key


class Command(BaseCommand):
    help = "Print a new Ed25519 key pair for audit checkpoints; nothing is stored."

    def handle(self, *args, **options):
        private_pem, public_pem = generate_key()
        self.stderr.write(
            "Put the private key in the environment as AUDIT_SIGNING_KEY and keep it secret; "
            "give the public key to the auditors (verify_audit --public-key)."
        )
        self.stdout.write(private_pem + public_pem, ending="")

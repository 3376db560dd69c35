import json
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_it_prints_a_key_pair_whose_public_half_verifies_its_checkpoints(settings, tmp_path):
    out = StringIO()
    call_command("audit_keygen", stdout=out, stderr=StringIO())
    private_pem, public_pem = out.getvalue().split("-----END PRIVATE KEY-----\n")
    settings.AUDIT_SIGNING_KEY = private_pem + "-----END PRIVATE KEY-----\n"
    (tmp_path / "public.pem").write_text(public_pem)

    call_command("audit_checkpoint", output=tmp_path / "cp.json", stdout=StringIO())
    assert json.loads((tmp_path / "cp.json").read_text())["public_key"] == public_pem
    call_command(
        "verify_audit",
        checkpoint=tmp_path / "cp.json",
        public_key=tmp_path / "public.pem",
        stdout=StringIO(),
    )


def test_it_prints_a_new_key_each_time():
    first, second = StringIO(), StringIO()
    call_command("audit_keygen", stdout=first, stderr=StringIO())
    call_command("audit_keygen", stdout=second, stderr=StringIO())
    assert first.getvalue() != second.getvalue()

"""Whatever is typed, the form answers with a page, never a 500, and loses nothing kept."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints.forms import ComplaintForm
from complaints.models import Complaint
from complaints.tests.conftest import draft

FIELDS = [name for name in ComplaintForm.Meta.fields if name != "category"]
typed = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400
) | st.sampled_from(
    ["１２３４", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "　", "\x00", "on", "leak", "-1"]
)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.fixed_dictionaries({}, optional={name: typed for name in FIELDS}))
def test_it_never_fails_on_what_is_typed(client, data):
    before = Complaint.objects.count()
    response = client.post(reverse("complaints:new"), data)

    assert response.status_code == 200
    assert Complaint.objects.count() == before
    if 'name="draft"' in response.text:
        response = client.post(
            reverse("complaints:confirm"), {"draft": draft(response), "send": "1"}
        )

        assert response.status_code == 302
        complaint = Complaint.objects.latest("id")
        assert Complaint.objects.count() == before + 1
        # What happened is kept as typed (without control characters), not normalised.
        assert complaint.what_happened.replace("\x00", "") == complaint.what_happened

"""Building admin form posts: what the change page would send back unchanged."""

from purposes.models import Category


def category_change_data(client, category: Category) -> dict:
    """The category change form's data as the admin renders it, with its permission inline."""
    form = client.get(f"/admin/purposes/category/{category.pk}/change/").context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    permissions = list(category.permissions.order_by("order", "valid_from", "id"))
    data |= {
        "permissions-TOTAL_FORMS": str(len(permissions)),
        "permissions-INITIAL_FORMS": str(len(permissions)),
    }
    for i, permission in enumerate(permissions):
        data |= {
            f"permissions-{i}-id": str(permission.pk),
            f"permissions-{i}-category": str(category.pk),
            f"permissions-{i}-order": str(permission.order),
            f"permissions-{i}-purpose": str(permission.purpose_id),
            f"permissions-{i}-valid_from": permission.valid_from.isoformat(),
            f"permissions-{i}-valid_until": "",
        }
    return data


def add_permission_row(data: dict, **fields: str) -> dict:
    """Append one new row to the permission inline of `data`."""
    i = int(data["permissions-TOTAL_FORMS"])
    data = dict(data)
    data["permissions-TOTAL_FORMS"] = str(i + 1)
    data |= {f"permissions-{i}-{name}": value for name, value in fields.items()}
    return data

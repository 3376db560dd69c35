"""The API's pages (`REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]`), in a module of their own:
DRF imports the class while it defines its generic views, before `records.api` can be."""

from rest_framework.pagination import LimitOffsetPagination


class Pages(LimitOffsetPagination):
    """DRF's `limit` and `offset` (`PAGE_SIZE` by default), the limit cut to `max_limit`.

    Uncut, any number a caller sent went to the database as the query's LIMIT, and
    PostgreSQL refuses one past its largest integer (a 500). An offset past the last row
    never reaches it: DRF answers an empty page first.
    """

    max_limit = 1000

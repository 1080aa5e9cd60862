"""The national public service portal (Cổng Dịch vụ công quốc gia, DVCQG) connector: an adapter.
The wire format is `mapping.py`, the endpoints are settings (`NATIONAL_PORTAL_*`), the HTTP is
`client.py`; `inbound.py` turns the portal's dossiers into submitted ones, `status.py` sends
every status change back through the outbox, `catalogue_sync.py` and `reconcile.py` do the
rest (docs/integrations/national-portal.md)."""

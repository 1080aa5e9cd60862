"""Periodic statistical reports (báo cáo định kỳ), docs/domain/reports.md and the format
`motcua.report/1`: exact, reconciled figures computed by SQL aggregation, each traceable to the
dossiers it counts (`drilldown`)."""

"""Periodic statistical reports (báo cáo định kỳ), domain.md §9 and interchange.md
`motcua.report/1`: exact, reconciled figures computed by SQL aggregation, each traceable to the
dossiers it counts (`drilldown`)."""

"""Printed papers of the one-stop (forms 01–07): HTML templates rendered to PDF by WeasyPrint.

- `receipt`: form 01, the receipt and appointment slip (`ReceiptSlip`, `render_receipt_pdf`).
- `rendering`: template + print stylesheet → PDF bytes, shared by every paper.
- `barcodes`: QR codes and Code 128 barcodes as inline SVG.

Templates live in `motcua/templates/papers/`, the print stylesheet in
`motcua/static/papers/paper.css`. This package imports nothing eagerly: WeasyPrint is loaded
only by the modules that render.
"""

"""Labels (issue #8): spine labels, barcode labels, both on one label, patron cards and shelf
markers, drawn as PDF for sheet stock or a roll printer.

Pure parts, importing no Django: `stocks` (the table of label stocks), `spine` (a call number
broken into spine lines and fitted to a label), `content` (what one label says and how a list
of barcodes or ranges is read), `render` (the layout, its flags and the reportlab drawing).
`select` reads the items to label from the database; `batches` writes the saved batches of
items to label (who keeps them: `batch_rules`, pure too).
"""

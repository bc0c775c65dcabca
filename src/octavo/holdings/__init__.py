"""Items (physical copies): barcodes, site and location, call number, status."""

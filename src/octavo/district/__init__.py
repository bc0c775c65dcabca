"""The district: its sites (schools, branches), their opening hours and shelving locations."""

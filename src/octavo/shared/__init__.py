"""Small, framework-free building blocks every app uses: clock, actor, errors, catalogs."""

"""Infrastructure every domain stands on: configuration, database, schema, codes, the city's units."""

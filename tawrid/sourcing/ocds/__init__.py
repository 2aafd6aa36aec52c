"""OCDS 1.1 export (Open Contracting Data Standard): plans as planning releases, consultations as tenders,
awards and orders as awards and contracts, in release and record packages validated offline with libcoveocds.

- `build`: pure functions from frozen dataclasses to OCDS dicts (releases, packages);
- `merge`: the compiled release of a record, by the OCDS merge rules of the shipped schema;
- `selectors`: what an actor may see of a plan (`PlanData`) and of a consultation (its releases);
- `export`: the packages the API and the pages serve (`api`, `views`, `urls`: those of consultations);
- `standard`: the standard's archive shipped in data/reference/ocds/;
- `validate`: libcoveocds, offline, errors and warnings.
"""

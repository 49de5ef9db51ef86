//! The Backstage catalog API client (`GET /api/catalog/entities/by-query`, cursor paging).

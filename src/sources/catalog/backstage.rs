//! The Backstage catalog API client (`GET /api/catalog/entities/by-query`, cursor paging).
//!
//! Paging as the catalog backend implements it (`parseQueryEntitiesParams`,
//! `DefaultEntitiesCatalog.queryEntities`): the first request carries `filter`, `fields` and
//! `limit`; every next one carries `cursor` with `fields` and `limit` only. The cursor holds
//! the filter, the order and the position, so a filter sent beside it is ignored; `fields`
//! and `limit` are not in the cursor, and without them page 2 onwards would come back as
//! whole entities, 20 at a time (the server's default). The default order (the entity's
//! internal id, keyset paging) is stable, so no `orderField` is sent: it would only add a
//! join on the server.
//!
//! A fetch is all pages or an error: a catalog that dies after page 1 must not replace a
//! complete one with half of it.

use crate::catalog::{Decoded, Entity, EntityRef, decode};
use crate::config::source::{Auth, SourceSpec};
use crate::sanitize;
use crate::sources::error::{ErrorKind, SourceError};
use crate::sources::http::{HttpClient, HttpOptions};
use serde_json::Value;
use std::collections::HashSet;

/// The kinds sitrep uses, each its own filter set (repeated `filter` = OR).
pub const DEFAULT_FILTERS: &[&str] = &["kind=component", "kind=group", "kind=user", "kind=system"];
/// Only what `catalog::decode` reads.
pub const FIELDS: &str = "kind,metadata.name,metadata.namespace,metadata.title,metadata.description,metadata.annotations,metadata.labels,metadata.tags,metadata.links,spec,relations";
/// Entities per page: a few hundred KB of JSON with `FIELDS`.
pub const DEFAULT_PAGE_SIZE: usize = 500;
/// More pages than this is a server that never ends, not a catalog.
pub const MAX_PAGES: usize = 1_000;
/// More entities than this is a filter that selects far too much.
pub const MAX_ITEMS: usize = 200_000;
/// Problem lines kept; the rest are counted in one last line.
const MAX_PROBLEMS: usize = 100;

/// One complete read of the catalog.
#[derive(Clone, Debug, Default)]
pub struct Fetched {
    pub entities: Vec<Entity>,
    /// Items that could not be read ("component:default/x: no metadata.name"), clean lines.
    pub problems: Vec<String>,
    pub pages: usize,
    /// `totalItems` of the first page, as the server counted it.
    pub total: Option<u64>,
}

/// A client for one Backstage backend. Cheap to clone.
#[derive(Clone, Debug)]
pub struct BackstageClient {
    http: HttpClient,
    /// Path segments from the configured URL to `entities/by-query`.
    prefix: &'static [&'static str],
    /// The `[[catalog]]` entry's filters (`check` uses them).
    filters: Vec<String>,
    has_token: bool,
    /// Named by `--catalog` (its token comes from `$BACKSTAGE_TOKEN`), not a config entry.
    from_flag: bool,
    page_size: usize,
    max_pages: usize,
    max_items: usize,
}

impl BackstageClient {
    pub fn new(spec: &SourceSpec, options: &HttpOptions) -> Result<BackstageClient, SourceError> {
        // `https://backstage.example.com` is the backend; a URL that already names the
        // catalog's mount point is used as is.
        let prefix: &'static [&'static str] = if spec
            .url
            .path()
            .trim_end_matches('/')
            .ends_with("/api/catalog")
        {
            &[]
        } else {
            &["api", "catalog"]
        };
        Ok(BackstageClient {
            http: HttpClient::new(spec, options)?,
            prefix,
            filters: spec.catalog.filters.clone(),
            has_token: spec.auth != Auth::None || !spec.url.username().is_empty(),
            from_flag: spec.origin.starts_with("flag"),
            page_size: DEFAULT_PAGE_SIZE,
            max_pages: MAX_PAGES,
            max_items: MAX_ITEMS,
        })
    }

    /// Entities per page (at least 1).
    pub fn with_page_size(mut self, n: usize) -> BackstageClient {
        self.page_size = n.max(1);
        self
    }

    /// Most pages and most entities one fetch accepts before giving up.
    pub fn with_bounds(mut self, max_pages: usize, max_items: usize) -> BackstageClient {
        self.max_pages = max_pages.max(1);
        self.max_items = max_items;
        self
    }

    pub fn source(&self) -> &str {
        self.http.source()
    }

    /// The `by-query` URL, for messages and tests.
    pub fn query_url(&self) -> url::Url {
        self.http.url(&self.segments())
    }

    fn segments(&self) -> Vec<&'static str> {
        let mut s = self.prefix.to_vec();
        s.extend(["entities", "by-query"]);
        s
    }

    /// All pages of `GET <base>/api/catalog/entities/by-query`.
    pub async fn fetch_all(&self, filters: &[String]) -> Result<Fetched, SourceError> {
        let filters = effective_filters(filters);
        let limit = self.page_size.to_string();
        let mut out = Fetched::default();
        let mut problems = Problems::default();
        let mut seen_refs: HashSet<EntityRef> = HashSet::new();
        let mut seen_cursors: HashSet<String> = HashSet::new();
        let mut duplicates = 0usize;
        let mut items_seen = 0usize;
        let mut cursor: Option<String> = None;
        loop {
            if out.pages >= self.max_pages {
                return Err(self.http.error(
                    ErrorKind::TooLarge,
                    None,
                    &format!(
                        "the catalog still had more after {} pages of {}: narrow the filters on the [[catalog]] entry for source {}",
                        self.max_pages,
                        self.page_size,
                        self.source()
                    ),
                ));
            }
            let mut query: Vec<(&str, &str)> = Vec::new();
            match &cursor {
                // The cursor carries filter and order; fields and limit are per request.
                Some(c) => query.push(("cursor", c)),
                None => query.extend(filters.iter().map(|f| ("filter", f.as_str()))),
            }
            query.push(("fields", FIELDS));
            query.push(("limit", &limit));
            let page_no = out.pages + 1;
            let page = self
                .page(&query)
                .await
                .map_err(|e| self.mid_fetch(e, page_no, items_seen))?;
            out.pages = page_no;
            if page_no == 1 {
                out.total = page.total;
                if let Some(t) = page.total
                    && t > self.max_items as u64
                {
                    return Err(self.too_many(Some(t)));
                }
            }
            items_seen += page.items.len();
            // The server's count was wrong if this trips: say what was actually sent.
            if items_seen > self.max_items {
                return Err(self.too_many(None));
            }
            for (i, item) in page.items.iter().enumerate() {
                match decode(item) {
                    Ok(Decoded::Entity(e)) => {
                        // Only a server paging by offset while the catalog changes repeats
                        // an entity; keep the first.
                        if seen_refs.insert(e.entity_ref()) {
                            out.entities.push(*e);
                        } else {
                            duplicates += 1;
                        }
                    }
                    Ok(Decoded::Location(_) | Decoded::Ignored(_)) => {}
                    Err(why) => problems.push(&item_name(item, page_no, i + 1), &why),
                }
            }
            match page.next {
                None => break,
                Some(next) => {
                    if !seen_cursors.insert(next.clone()) {
                        return Err(self.http.error(
                            ErrorKind::InvalidJson,
                            None,
                            &format!(
                                "the catalog sent a cursor it had already sent (page {page_no}): paging would never end"
                            ),
                        ));
                    }
                    cursor = Some(next);
                }
            }
        }
        if duplicates > 0 {
            problems.lines.push(format!(
                "{} came twice across pages (the catalog changed while it was read); the first copy is kept",
                entities(duplicates as u64)
            ));
        }
        out.problems = problems.finish();
        Ok(out)
    }

    /// One small request proving reach and auth, for `sitrep check`: "1,234 entities".
    pub async fn check(&self) -> Result<String, SourceError> {
        let filters = effective_filters(&self.filters);
        let mut query: Vec<(&str, &str)> = filters.iter().map(|f| ("filter", f.as_str())).collect();
        query.extend([("fields", "kind,metadata.name"), ("limit", "1")]);
        let page = self.page(&query).await?;
        Ok(match page.total {
            Some(t) => entities(t),
            // Servers too old to count still proved reach and auth.
            None => "reachable (no entity count)".to_string(),
        })
    }

    /// One page: its items, `totalItems` and `pageInfo.nextCursor`.
    async fn page(&self, query: &[(&str, &str)]) -> Result<Page, SourceError> {
        let body = self
            .http
            .request(reqwest::Method::GET, &self.segments(), query, None::<&()>)
            .await
            .map_err(|e| self.explain(e))?;
        let value: Value = self.http.decode(&body).map_err(|e| self.explain(e))?;
        Page::read(value).map_err(|why| {
            self.http.error(
                ErrorKind::InvalidJson,
                None,
                &format!("unexpected JSON: not a Backstage catalog answer ({why})"),
            )
        })
    }

    /// The catalog's own words for what usually goes wrong with it.
    fn explain(&self, e: SourceError) -> SourceError {
        let source = self.source();
        let how = if self.from_flag {
            "export BACKSTAGE_TOKEN=… for --catalog, or use a [[catalog]] entry with token_env or token_file (a Backstage static or service token)".to_string()
        } else {
            format!(
                "set token_env or token_file on the [[catalog]] entry for source {source} (a Backstage static or service token)"
            )
        };
        let msg = match e.kind {
            ErrorKind::Unauthorized if self.has_token => {
                format!("the catalog refused the token (HTTP 401): {how}")
            }
            ErrorKind::Unauthorized => format!("the catalog wants a token (HTTP 401): {how}"),
            ErrorKind::Forbidden => {
                format!("the catalog refused the token (HTTP 403: it may not read entities): {how}")
            }
            ErrorKind::NotFound => format!(
                "not found: is this a Backstage backend? {} answered 404 (set url to the backend, e.g. https://backstage.example.com)",
                self.query_url().path()
            ),
            ErrorKind::NotJson => format!(
                "{} (is url the Backstage backend, not its web app?)",
                e.message
            ),
            _ => return e,
        };
        self.http.error(e.kind, e.status, &msg)
    }

    fn mid_fetch(&self, e: SourceError, page: usize, items: usize) -> SourceError {
        if page == 1 {
            return e;
        }
        let msg = format!(
            "catalog page {page} failed after {items} entities, so the whole read is dropped: {}",
            e.message
        );
        self.http.error(e.kind, e.status, &msg)
    }

    fn too_many(&self, total: Option<u64>) -> SourceError {
        let count = match total {
            Some(t) => entities(t),
            None => format!("more than {} entities", thousands(self.max_items as u64)),
        };
        self.http.error(
            ErrorKind::TooLarge,
            None,
            &format!(
                "the catalog matched {count} (at most {} are read): narrow the filters on the [[catalog]] entry for source {}",
                thousands(self.max_items as u64),
                self.source()
            ),
        )
    }
}

fn effective_filters(filters: &[String]) -> Vec<String> {
    let given: Vec<String> = filters
        .iter()
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty())
        .collect();
    if given.is_empty() {
        DEFAULT_FILTERS.iter().map(|f| f.to_string()).collect()
    } else {
        given
    }
}

/// What one `by-query` answer holds.
#[derive(Debug)]
struct Page {
    items: Vec<Value>,
    total: Option<u64>,
    next: Option<String>,
}

impl Page {
    fn read(value: Value) -> Result<Page, &'static str> {
        let Value::Object(mut obj) = value else {
            return Err("not an object");
        };
        let Some(Value::Array(items)) = obj.remove("items") else {
            return Err("no \"items\" list");
        };
        // `type: number` in the spec: a float is tolerated, a negative or text one is not.
        let total = obj.get("totalItems").and_then(|t| {
            t.as_u64()
                .or_else(|| t.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
        });
        let next = match obj.get("pageInfo").and_then(|p| p.get("nextCursor")) {
            None | Some(Value::Null) => None,
            Some(Value::String(c)) if !c.trim().is_empty() => Some(c.clone()),
            // An empty or non-text cursor can not be followed, and stopping would keep half.
            Some(_) => return Err("pageInfo.nextCursor is not a cursor"),
        };
        Ok(Page { items, total, next })
    }
}

/// `component:default/checkout`, from whatever the item has, else its place in the answer.
fn item_name(item: &Value, page: usize, index: usize) -> String {
    let text = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .map(|s| sanitize::clean_line(s, 100))
            .filter(|s| !s.trim().is_empty())
    };
    let kind = text(item.get("kind")).map(|k| k.to_ascii_lowercase());
    let meta = item.get("metadata");
    let name = text(meta.and_then(|m| m.get("name")));
    let namespace = text(meta.and_then(|m| m.get("namespace")));
    match (kind, name) {
        (kind, Some(name)) => format!(
            "{}:{}/{name}",
            kind.as_deref().unwrap_or("?"),
            namespace.as_deref().unwrap_or("default")
        ),
        (kind, None) => format!(
            "{}:{}/? (item {index} of page {page})",
            kind.as_deref().unwrap_or("?"),
            namespace.as_deref().unwrap_or("default")
        ),
    }
}

#[derive(Default)]
struct Problems {
    lines: Vec<String>,
    dropped: usize,
}

impl Problems {
    fn push(&mut self, name: &str, why: &str) {
        if self.lines.len() < MAX_PROBLEMS {
            self.lines
                .push(sanitize::clean_line(&format!("{name}: {why}"), 300));
        } else {
            self.dropped += 1;
        }
    }

    fn finish(mut self) -> Vec<String> {
        if self.dropped > 0 {
            self.lines.push(format!(
                "… and {} more items that could not be read",
                self.dropped
            ));
        }
        self.lines
    }
}

/// `1 entity`, `1,234 entities`.
fn entities(n: u64) -> String {
    match n {
        1 => "1 entity".to_string(),
        n => format!("{} entities", thousands(n)),
    }
}

/// `1,234`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::source::SourceKind;
    use serde_json::json;

    fn client(url: &str) -> BackstageClient {
        let spec = SourceSpec::new(
            "bs",
            SourceKind::Catalog,
            url::Url::parse(url).unwrap(),
            "test",
        );
        BackstageClient::new(&spec, &HttpOptions::default()).unwrap()
    }

    #[test]
    fn the_catalog_sits_under_the_backend_unless_the_url_names_it() {
        let q = |u| client(u).query_url().to_string();
        assert_eq!(
            q("https://backstage.example.com"),
            "https://backstage.example.com/api/catalog/entities/by-query"
        );
        assert_eq!(
            q("https://h/backstage/"),
            "https://h/backstage/api/catalog/entities/by-query"
        );
        assert_eq!(
            q("https://h/api/catalog"),
            "https://h/api/catalog/entities/by-query"
        );
        assert_eq!(
            q("https://h/x/api/catalog/"),
            "https://h/x/api/catalog/entities/by-query"
        );
    }

    #[test]
    fn pages_are_read_strictly_where_it_matters() {
        let p =
            Page::read(json!({"items": [{}], "totalItems": 3.0, "pageInfo": {"nextCursor": "c"}}))
                .unwrap();
        assert_eq!(
            (p.items.len(), p.total, p.next.as_deref()),
            (1, Some(3), Some("c"))
        );
        let p = Page::read(json!({"items": [], "pageInfo": {}})).unwrap();
        assert_eq!((p.total, p.next), (None, None));
        assert!(Page::read(json!([{"kind": "Component"}])).is_err());
        assert!(Page::read(json!({"items": {}})).is_err());
        assert!(Page::read(json!({"items": [], "pageInfo": {"nextCursor": ""}})).is_err());
        assert!(Page::read(json!({"items": [], "pageInfo": {"nextCursor": 7}})).is_err());
    }

    #[test]
    fn problem_lines_name_the_item() {
        let n = |v| item_name(&v, 2, 5);
        assert_eq!(
            n(json!({"kind": "Component", "metadata": {"name": "x"}})),
            "component:default/x"
        );
        assert_eq!(
            n(json!({"kind": "Group", "metadata": {"namespace": "ops"}})),
            "group:ops/? (item 5 of page 2)"
        );
        assert_eq!(n(json!(3)), "?:default/? (item 5 of page 2)");
        assert_eq!(
            n(json!({"kind": "\u{1b}[31mUser", "metadata": {"name": "a\nb"}})),
            "user:default/a b"
        );
    }

    #[test]
    fn filters_default_to_the_kinds_sitrep_uses() {
        assert_eq!(effective_filters(&[]), DEFAULT_FILTERS);
        assert_eq!(effective_filters(&[" ".into()]), DEFAULT_FILTERS);
        assert_eq!(
            effective_filters(&["kind=component,spec.type=service".into()]),
            ["kind=component,spec.type=service"]
        );
    }

    #[test]
    fn counts_read_like_people_write_them() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(200_000), "200,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(entities(1), "1 entity");
        assert_eq!(entities(2000), "2,000 entities");
    }
}

//! `GET /entities/by-query` as the catalog backend answers it: filters over the entity's
//! search rows (`buildEntitySearch`: leaves of the entity with lower-cased keys and values,
//! array strings also as `path.item = true`, `relations.<type> = targetRef`), `fields`
//! projection, `orderField`, full-text filter, `limit` (default 20) and opaque cursors that
//! carry the query, so a `filter` sent beside a cursor is ignored, while `fields` and `limit`
//! are read from every request (`parseQueryEntitiesParams`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::cmp::Ordering;

/// The server's page size when the request names none.
pub const DEFAULT_LIMIT: usize = 20;
/// Keys that `buildEntitySearch` skips in its generic walk.
const SPECIAL_KEYS: [&str; 7] = [
    "attachments",
    "relations",
    "status",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "metadata.etag",
];
/// Longer values are indexed as null (the catalog's column limit).
const MAX_VALUE_LEN: usize = 200;
const MAX_KEY_LEN: usize = 200;

/// One entity's search rows: lower-cased key, lower-cased value (None = null or too long).
pub type Rows = Vec<(String, Option<String>)>;

pub fn search_rows(entity: &Value) -> Rows {
    let mut raw: Vec<(String, Option<String>)> = Vec::new();
    visit("", entity, &mut raw);
    let meta = &entity["metadata"];
    for key in ["metadata.name", "metadata.namespace", "metadata.uid"] {
        let field = key.trim_start_matches("metadata.");
        raw.push((key.to_string(), scalar(&meta[field])));
    }
    for r in entity["relations"].as_array().into_iter().flatten() {
        if let (Some(ty), Some(target)) = (r["type"].as_str(), r["targetRef"].as_str()) {
            raw.push((format!("relations.{ty}"), Some(target.to_string())));
        }
    }
    let mut rows: Rows = Vec::new();
    for (key, value) in raw {
        let key = key.to_lowercase();
        if key.len() > MAX_KEY_LEN {
            continue;
        }
        let value = value
            .map(|v| v.to_lowercase())
            .filter(|v| v.len() <= MAX_VALUE_LEN);
        if !rows.contains(&(key.clone(), value.clone())) {
            rows.push((key, value));
        }
    }
    rows
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn visit(path: &str, v: &Value, out: &mut Vec<(String, Option<String>)>) {
    if SPECIAL_KEYS.contains(&path) {
        return;
    }
    match v {
        Value::Array(items) => {
            for item in items {
                visit(path, item, out);
                if let Value::String(s) = item {
                    out.push((format!("{path}.{s}"), Some("true".into())));
                }
            }
        }
        Value::Object(map) => {
            for (k, child) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                visit(&p, child, out);
            }
        }
        scalar_or_null => out.push((path.to_string(), scalar(scalar_or_null))),
    }
}

/// A 400 from the catalog: `InputError` and its message.
#[derive(Debug, PartialEq)]
pub struct InputError(pub String);

/// One filter set: every key must match (AND); several values for one key are alternatives.
type FilterSet = Vec<(String, Option<Vec<String>>)>;

/// `kind=component,spec.type=service` (`parseEntityFilterString`). `None` for an empty one.
fn parse_filter(text: &str) -> Result<Option<FilterSet>, InputError> {
    let mut set: FilterSet = Vec::new();
    for statement in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (key, value) = match statement.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim())),
            None => (statement, None),
        };
        if key.is_empty() {
            return Err(InputError(format!(
                "Invalid filter, '{statement}' is not a valid statement (expected a string on the form a=b or a= or a)"
            )));
        }
        let key = key.to_lowercase();
        let i = match set.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                set.push((key, None));
                set.len() - 1
            }
        };
        if let Some(v) = value {
            set[i].1.get_or_insert_with(Vec::new).push(v.to_lowercase());
        }
    }
    Ok((!set.is_empty()).then_some(set))
}

fn matches_set(rows: &Rows, set: &FilterSet) -> bool {
    set.iter().all(|(key, values)| {
        rows.iter().any(|(k, v)| {
            k == key
                && match values {
                    None => true,
                    Some(vs) => v.as_ref().is_some_and(|v| vs.contains(v)),
                }
        })
    })
}

/// What a cursor carries: the original query and where the next page starts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cursor {
    filter: Vec<String>,
    order_fields: Vec<(String, String)>,
    full_text_term: String,
    full_text_fields: Vec<String>,
    offset: usize,
    total_items: Option<usize>,
    is_previous: bool,
}

fn encode(c: &Cursor) -> String {
    BASE64.encode(serde_json::to_vec(c).unwrap_or_default())
}

fn decode(text: &str) -> Result<Cursor, InputError> {
    BASE64
        .decode(text.trim())
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| InputError("Malformed cursor: could not be parsed".into()))
}

/// Every value of a repeatable parameter, comma lists split (`fields`, `fullTextFilterFields`).
fn list(params: &[(String, String)], key: &str) -> Vec<String> {
    params
        .iter()
        .filter(|(k, _)| k == key)
        .flat_map(|(_, v)| v.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn integer(params: &[(String, String)], key: &str) -> Result<Option<usize>, InputError> {
    match params.iter().find(|(k, _)| k == key) {
        None => Ok(None),
        Some((_, v)) => {
            v.trim().parse::<usize>().map(Some).map_err(|_| {
                InputError(format!("Invalid {key}, not an integer on the form \"123\""))
            })
        }
    }
}

/// Answer one `by-query` request over `entities` (full entities with their search rows, in
/// the catalog's default order).
pub fn by_query(
    entities: &[(Value, Rows)],
    params: &[(String, String)],
) -> Result<Value, InputError> {
    let limit = integer(params, "limit")?.unwrap_or(DEFAULT_LIMIT);
    let fields = list(params, "fields");
    let cursor = match params.iter().find(|(k, v)| k == "cursor" && !v.is_empty()) {
        Some((_, c)) => decode(c)?,
        None => {
            let mut order_fields = Vec::new();
            for o in params.iter().filter(|(k, _)| k == "orderField") {
                let (field, order) = o.1.split_once(',').unwrap_or((&o.1, "asc"));
                let order = order.trim().to_ascii_lowercase();
                if order != "asc" && order != "desc" {
                    return Err(InputError(format!(
                        "Invalid order field order, must be asc or desc: {}",
                        o.1
                    )));
                }
                order_fields.push((field.trim().to_string(), order));
            }
            Cursor {
                filter: params
                    .iter()
                    .filter(|(k, _)| k == "filter")
                    .map(|(_, v)| v.clone())
                    .collect(),
                order_fields,
                full_text_term: params
                    .iter()
                    .find(|(k, _)| k == "fullTextFilterTerm")
                    .map(|(_, v)| v.trim().to_lowercase())
                    .unwrap_or_default(),
                full_text_fields: list(params, "fullTextFilterFields"),
                offset: integer(params, "offset")?.unwrap_or(0),
                ..Cursor::default()
            }
        }
    };
    let sets = cursor
        .filter
        .iter()
        .map(|f| parse_filter(f))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect::<Vec<_>>();
    let sort = cursor
        .order_fields
        .first()
        .map(|(f, o)| (f.to_lowercase(), o == "desc"));
    let text_fields: Vec<String> = if cursor.full_text_fields.is_empty() {
        vec![sort.as_ref().map_or("metadata.uid".into(), |s| s.0.clone())]
    } else {
        cursor
            .full_text_fields
            .iter()
            .map(|f| f.to_lowercase())
            .collect()
    };
    let mut hits: Vec<&(Value, Rows)> = entities
        .iter()
        .filter(|(_, rows)| sets.is_empty() || sets.iter().any(|s| matches_set(rows, s)))
        .filter(|(_, rows)| {
            cursor.full_text_term.is_empty()
                || rows.iter().any(|(k, v)| {
                    text_fields.contains(k)
                        && v.as_ref()
                            .is_some_and(|v| v.contains(&cursor.full_text_term))
                })
        })
        .collect();
    if let Some((field, desc)) = &sort {
        let value = |rows: &Rows| {
            rows.iter()
                .find(|(k, _)| k == field)
                .and_then(|r| r.1.clone())
        };
        let mut keyed: Vec<(Option<String>, usize, &(Value, Rows))> = hits
            .into_iter()
            .enumerate()
            .map(|(i, e)| (value(&e.1), i, e))
            .collect();
        // Value, then uid (the given order), both in the asked direction; nulls last.
        keyed.sort_by(|a, b| match (&a.0, &b.0) {
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            _ if *desc => (&b.0, b.1).cmp(&(&a.0, a.1)),
            _ => (&a.0, a.1).cmp(&(&b.0, b.1)),
        });
        hits = keyed.into_iter().map(|(_, _, e)| e).collect();
    }
    let total = cursor.total_items.unwrap_or(hits.len());
    let start = cursor.offset.min(hits.len());
    let end = start.saturating_add(limit).min(hits.len());
    let items: Vec<Value> = hits[start..end]
        .iter()
        .map(|(e, _)| project(e, &fields))
        .collect();
    let mut page_info = Map::new();
    if limit > 0 && end < hits.len() {
        let next = Cursor {
            offset: end,
            total_items: Some(total),
            is_previous: false,
            ..cursor.clone()
        };
        page_info.insert("nextCursor".into(), encode(&next).into());
    }
    if start > 0 && limit > 0 {
        let prev = Cursor {
            offset: start.saturating_sub(limit),
            total_items: Some(total),
            is_previous: true,
            ..cursor.clone()
        };
        page_info.insert("prevCursor".into(), encode(&prev).into());
    }
    Ok(json!({"items": items, "totalItems": total, "pageInfo": page_info}))
}

/// `fields=metadata.name,spec`: only those subtrees (lodash `get` then `set`).
pub fn project(entity: &Value, fields: &[String]) -> Value {
    if fields.is_empty() {
        return entity.clone();
    }
    let mut out = Value::Object(Map::new());
    for field in fields {
        let path: Vec<&str> = field.split('.').collect();
        let Some(v) = path.iter().try_fold(entity, |v, k| v.get(*k)) else {
            continue;
        };
        let mut at = &mut out;
        for (i, k) in path.iter().enumerate() {
            let Some(obj) = at.as_object_mut() else { break };
            if i + 1 == path.len() {
                obj.insert(k.to_string(), v.clone());
                break;
            }
            at = obj
                .entry(k.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
        }
    }
    out
}

/// Group search rows once per entity.
pub fn index(entities: Vec<Value>) -> Vec<(Value, Rows)> {
    entities
        .into_iter()
        .map(|e| {
            let rows = search_rows(&e);
            (e, rows)
        })
        .collect()
}

#[cfg(test)]
mod tests;

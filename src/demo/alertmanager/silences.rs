//! The demo Alertmanager's silences: stored, matched against alerts, and served through
//! `GET/POST /api/v2/silences`, `GET/DELETE /api/v2/silence/{id}`, validated the way
//! Alertmanager validates them (bad input: 400 with a JSON string saying why).

use super::{error, stamp};
use crate::demo::Shared;
use crate::demo::clock::ScenarioClock;
use crate::demo::scenario::World;
use crate::model::alert::Labels;
use crate::model::silence::{CompiledMatcher, Matcher, SilenceState};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use regex::Regex;
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::Arc;

#[derive(Clone, Debug)]
struct StoredSilence {
    id: String,
    matchers: Vec<Matcher>,
    compiled: Vec<CompiledMatcher>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    created_by: String,
    comment: String,
}

impl StoredSilence {
    fn state(&self, now: DateTime<Utc>) -> SilenceState {
        if now < self.starts_at {
            SilenceState::Pending
        } else if now >= self.ends_at {
            SilenceState::Expired
        } else {
            SilenceState::Active
        }
    }

    fn matches(&self, labels: &Labels) -> bool {
        self.compiled.iter().all(|m| m.matches(labels))
    }
}

/// The demo Alertmanager's silences (its `silences` store; expired ones are kept, as the real
/// one keeps them for its retention period).
#[derive(Debug, Default)]
pub struct SilenceStore {
    silences: Vec<StoredSilence>,
}

impl SilenceStore {
    /// The silences that exist before launch.
    pub fn seeded(world: &World, clock: &ScenarioClock) -> SilenceStore {
        let silences = world
            .silences
            .iter()
            .map(|s| StoredSilence {
                id: s.id.clone(),
                compiled: s.matchers.iter().map(Matcher::compile).collect(),
                matchers: s.matchers.clone(),
                starts_at: clock.to_utc(s.starts_at),
                ends_at: clock.to_utc(s.ends_at),
                updated_at: clock.to_utc(s.starts_at),
                created_by: s.created_by.clone(),
                comment: s.comment.clone(),
            })
            .collect();
        SilenceStore { silences }
    }

    /// Ids of the active silences that mute these labels, sorted.
    pub(super) fn silencing(&self, labels: &Labels, now: DateTime<Utc>) -> Vec<String> {
        let mut ids: Vec<String> = self
            .silences
            .iter()
            .filter(|s| s.state(now) == SilenceState::Active && s.matches(labels))
            .map(|s| s.id.clone())
            .collect();
        ids.sort();
        ids
    }
}

fn new_silence_id() -> String {
    // A version 4 UUID, as Alertmanager issues.
    let v = fastrand::u128(..);
    let v = (v & !(0xf << 76)) | (0x4 << 76);
    let v = (v & !(0x3 << 62)) | (0x2 << 62);
    let h = format!("{v:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

#[derive(Serialize)]
struct SilenceStatus {
    state: SilenceState,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GettableSilence {
    id: String,
    status: SilenceStatus,
    updated_at: String,
    comment: String,
    created_by: String,
    ends_at: String,
    matchers: Vec<Matcher>,
    starts_at: String,
}

fn gettable_silence(s: &StoredSilence, now: DateTime<Utc>) -> GettableSilence {
    GettableSilence {
        id: s.id.clone(),
        status: SilenceStatus {
            state: s.state(now),
        },
        updated_at: stamp(s.updated_at),
        comment: s.comment.clone(),
        created_by: s.created_by.clone(),
        ends_at: stamp(s.ends_at),
        matchers: s.matchers.clone(),
        starts_at: stamp(s.starts_at),
    }
}

/// AM's `SortSilences`: active (next to end first), pending (next to start first), expired
/// (most recently ended first).
fn sort_silences(list: &mut [&StoredSilence], now: DateTime<Utc>) {
    let rank = |s: &StoredSilence| match s.state(now) {
        SilenceState::Active => 0,
        SilenceState::Pending => 1,
        SilenceState::Expired => 2,
    };
    list.sort_by(|a, b| {
        rank(a).cmp(&rank(b)).then_with(|| match a.state(now) {
            SilenceState::Active => a.ends_at.cmp(&b.ends_at),
            SilenceState::Pending => a.starts_at.cmp(&b.starts_at),
            SilenceState::Expired => b.ends_at.cmp(&a.ends_at),
        })
    });
}

pub(super) async fn list(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let mut filter = Vec::new();
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if key == "filter" {
            match Matcher::parse(&value) {
                Ok(m) => filter.push(m),
                Err(e) => return error(StatusCode::BAD_REQUEST, e),
            }
        }
    }
    let now = shared.clock.now();
    let store = shared.silences();
    // A silence matches a filter when, for every filter matcher, it has an identical matcher.
    let mut kept: Vec<&StoredSilence> = store
        .silences
        .iter()
        .filter(|s| filter.iter().all(|f| s.matchers.contains(f)))
        .collect();
    sort_silences(&mut kept, now);
    let list: Vec<GettableSilence> = kept.iter().map(|s| gettable_silence(s, now)).collect();
    Json(list).into_response()
}

pub(super) async fn get_one(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let now = shared.clock.now();
    let store = shared.silences();
    match store.silences.iter().find(|s| s.id == id) {
        Some(s) => Json(gettable_silence(s, now)).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub(super) async fn expire(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let now = shared.clock.now();
    let mut store = shared.silences();
    let Some(s) = store.silences.iter_mut().find(|s| s.id == id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match s.state(now) {
        SilenceState::Expired => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("silence {id} already expired"),
        ),
        state => {
            if state == SilenceState::Pending {
                s.starts_at = now;
            }
            s.ends_at = now;
            s.updated_at = now;
            StatusCode::OK.into_response()
        }
    }
}

/// A silence from `POST /api/v2/silences`, validated as Alertmanager validates it.
struct Posted {
    id: Option<String>,
    matchers: Vec<Matcher>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    created_by: String,
    comment: String,
}

fn validate(body: &[u8], now: DateTime<Utc>) -> Result<Posted, String> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| format!("parsing silence body: {e}"))?;
    let obj = v.as_object().ok_or("silence body must be a JSON object")?;
    let text = |key: &str| -> Result<String, String> {
        match obj.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
            Some(Value::String(_)) | None | Some(Value::Null) => {
                Err(format!("{key} in body is required"))
            }
            Some(_) => Err(format!("{key} in body must be of type string")),
        }
    };
    let time = |key: &str| -> Result<DateTime<Utc>, String> {
        let t = text(key)?;
        DateTime::parse_from_rfc3339(&t)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| format!("{key} in body must be of type date-time: {t:?}: {e}"))
    };
    let raw_matchers = match obj.get("matchers") {
        Some(Value::Array(list)) => list,
        None | Some(Value::Null) => return Err("matchers in body is required".to_string()),
        Some(_) => return Err("matchers in body must be of type array".to_string()),
    };
    if raw_matchers.is_empty() {
        return Err("at least one matcher required".to_string());
    }
    let mut matchers = Vec::new();
    for (i, m) in raw_matchers.iter().enumerate() {
        let m: Matcher = serde_json::from_value(m.clone())
            .map_err(|e| format!("invalid label matcher {i}: {e}"))?;
        let name_ok = !m.name.is_empty()
            && !m.name.starts_with(|c: char| c.is_ascii_digit())
            && m.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !name_ok {
            return Err(format!(
                "invalid label matcher {i}: invalid label name {:?}",
                m.name
            ));
        }
        if m.is_regex {
            Regex::new(&format!("^(?:{})$", m.value)).map_err(|e| {
                format!(
                    "invalid label matcher {i}: invalid regular expression {:?}: {e}",
                    m.value
                )
            })?;
        }
        matchers.push(m);
    }
    let empty = Labels::new();
    if matchers.iter().all(|m| m.compile().matches(&empty)) {
        return Err("at least one matcher must not match the empty string".to_string());
    }
    let starts_at = time("startsAt")?;
    let ends_at = time("endsAt")?;
    let created_by = text("createdBy")?;
    let comment = text("comment")?;
    if starts_at >= ends_at {
        return Err("Failed to create silence: start time must be before end time".to_string());
    }
    if ends_at < now {
        return Err("Failed to create silence: end time can't be in the past".to_string());
    }
    let id = match obj.get("id") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    Ok(Posted {
        id,
        matchers,
        starts_at,
        ends_at,
        created_by,
        comment,
    })
}

pub(super) async fn post(State(shared): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    let now = shared.clock.now();
    let posted = match validate(&body, now) {
        Ok(p) => p,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let mut store = shared.silences();
    if let Some(id) = &posted.id {
        let Some(prev) = store.silences.iter_mut().find(|s| &s.id == id) else {
            return error(StatusCode::NOT_FOUND, "not found");
        };
        // Same matchers and not over: update in place (AM's canUpdate). Otherwise the old one
        // is expired and replaced by a new id.
        let state = prev.state(now);
        let in_place = prev.matchers == posted.matchers
            && match state {
                SilenceState::Active => prev.starts_at == posted.starts_at,
                SilenceState::Pending => posted.starts_at >= now,
                SilenceState::Expired => false,
            };
        if in_place {
            prev.ends_at = posted.ends_at;
            prev.starts_at = posted.starts_at;
            prev.created_by = posted.created_by;
            prev.comment = posted.comment;
            prev.updated_at = now;
            return Json(json!({ "silenceID": id })).into_response();
        }
        if state != SilenceState::Expired {
            prev.ends_at = now;
            prev.updated_at = now;
        }
    }
    let id = new_silence_id();
    store.silences.push(StoredSilence {
        id: id.clone(),
        compiled: posted.matchers.iter().map(Matcher::compile).collect(),
        matchers: posted.matchers,
        starts_at: posted.starts_at.max(now),
        ends_at: posted.ends_at,
        updated_at: now,
        created_by: posted.created_by,
        comment: posted.comment,
    });
    Json(json!({ "silenceID": id })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn silence_ids_are_v4_uuids() {
        let id = new_silence_id();
        let re =
            Regex::new("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
                .unwrap();
        assert!(re.is_match(&id), "{id}");
        assert_ne!(id, new_silence_id());
    }

    #[test]
    fn validation_messages() {
        let now = Utc::now();
        let body = |v: Value| {
            validate(v.to_string().as_bytes(), now)
                .err()
                .unwrap_or_default()
        };
        let ok = json!({
            "matchers": [{"name": "service", "value": "checkout", "isRegex": false}],
            "startsAt": stamp(now), "endsAt": stamp(now + TimeDelta::hours(1)),
            "createdBy": "me", "comment": "why",
        });
        assert_eq!(body(ok.clone()), "");
        let mut v = ok.clone();
        v["matchers"] = json!([]);
        assert_eq!(body(v), "at least one matcher required");
        let mut v = ok.clone();
        v["matchers"] = json!([{"name": "service", "value": "", "isRegex": false}]);
        assert_eq!(
            body(v),
            "at least one matcher must not match the empty string"
        );
        let mut v = ok.clone();
        v["matchers"] = json!([{"name": "service", "value": "(", "isRegex": true}]);
        assert!(body(v).starts_with("invalid label matcher 0: invalid regular expression"));
        let mut v = ok.clone();
        v["endsAt"] = v["startsAt"].clone();
        assert!(body(v).contains("start time must be before end time"));
        let mut v = ok.clone();
        v.as_object_mut().unwrap().remove("comment");
        assert_eq!(body(v), "comment in body is required");
        let mut v = ok;
        v["createdBy"] = json!("");
        assert_eq!(body(v), "createdBy in body is required");
        assert!(validate(b"nope", now).is_err());
    }
}

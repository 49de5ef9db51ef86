//! The emulated Backstage catalog API (`/api/catalog/...`): the demo world's services, teams,
//! people and systems as Backstage serves them. Wants `Authorization: Bearer`
//! [`DEMO_CATALOG_TOKEN`].
//!
//! - `GET /api/catalog/entities/by-query` (`filter`, `fields`, `limit`, `offset`,
//!   `orderField`, `fullTextFilterTerm`/`Fields`, `cursor`): see `query`.
//! - `GET /api/catalog/entities/by-name/{kind}/{namespace}/{name}`
//!
//! Errors have the backend's shape: `{"error":{"name","message"},"request":{"method","url"},
//! "response":{"statusCode"}}`. The content (`entities`) is built once from the world: teams,
//! people and services do not change while the demo runs.

mod entities;
mod query;

pub use entities::{CHECKOUT_RUNBOOK, system_of};

use super::Shared;
use axum::Router;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use std::sync::Arc;

/// The token the emulated catalog accepts.
pub const DEMO_CATALOG_TOKEN: &str = "demo-backstage-token";

/// The entities with their search rows, in the catalog's default order (by uid).
struct Catalog {
    entities: Vec<(Value, query::Rows)>,
}

pub(crate) fn router(shared: Arc<Shared>) -> axum::Router {
    let built = entities::build(&shared.world());
    let catalog = Arc::new(Catalog {
        entities: query::index(built),
    });
    Router::new()
        .route("/api/catalog/entities/by-query", get(by_query))
        .route(
            "/api/catalog/entities/by-name/{kind}/{namespace}/{name}",
            get(by_name),
        )
        .fallback(unknown)
        .layer(middleware::from_fn(require_token))
        .with_state(catalog)
}

/// The backend's error body (`errorHandler` of `@backstage/backend-defaults`).
fn error(status: StatusCode, name: &str, message: &str, method: &Method, uri: &Uri) -> Response {
    let body = json!({
        "error": {"name": name, "message": message},
        "request": {"method": method.as_str(), "url": uri.to_string()},
        "response": {"statusCode": status.as_u16()},
    });
    (status, axum::Json(body)).into_response()
}

async fn require_token(req: Request, next: Next) -> Response {
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string());
    let why = match given.as_deref() {
        Some(DEMO_CATALOG_TOKEN) => return next.run(req).await,
        Some(_) => "Illegal token",
        None => "Missing credentials",
    };
    error(
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
        why,
        req.method(),
        req.uri(),
    )
}

async fn by_query(
    State(catalog): State<Arc<Catalog>>,
    uri: Uri,
    RawQuery(raw): RawQuery,
) -> Response {
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    match query::by_query(&catalog.entities, &params) {
        Ok(page) => axum::Json(page).into_response(),
        Err(query::InputError(message)) => error(
            StatusCode::BAD_REQUEST,
            "InputError",
            &message,
            &Method::GET,
            &uri,
        ),
    }
}

async fn by_name(
    State(catalog): State<Arc<Catalog>>,
    Path((kind, namespace, name)): Path<(String, String, String)>,
    uri: Uri,
) -> Response {
    let wanted = format!("{kind}:{namespace}/{name}").to_lowercase();
    match catalog
        .entities
        .iter()
        .find(|(e, _)| entities::ref_of(e).to_lowercase() == wanted)
    {
        Some((e, _)) => axum::Json(e.clone()).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "NotFoundError",
            &format!(
                "No entity named '{name}' found, with kind '{kind}' in namespace '{namespace}'"
            ),
            &Method::GET,
            &uri,
        ),
    }
}

async fn unknown(method: Method, uri: Uri) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "NotFoundError",
        &format!("Not found: {} {}", method, uri.path()),
        &method,
        &uri,
    )
}

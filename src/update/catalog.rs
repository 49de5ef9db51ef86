//! Catalog and on-call reports. A catalog answer is complete (the source never sends half a
//! catalog): it replaces that source's previous one, the index over every catalog is rebuilt
//! and every service re-joined. An answer equal to the last one costs a comparison.

use super::flash;
use crate::catalog::CatalogIndex;
use crate::effect::Effect;
use crate::model::Model;
use crate::model::oncall::OnCallSnapshot;
use crate::model::ui::FlashLevel;
use crate::msg::CatalogPayload;
use std::sync::Arc;

pub fn on_catalog(model: &mut Model, source: &str, payload: CatalogPayload) -> Vec<Effect> {
    if let Some(old) = model.catalogs.get(source)
        && old.problems == payload.problems
        && (Arc::ptr_eq(&old.entities, &payload.entities) || old.entities == payload.entities)
    {
        return Vec::new();
    }
    model.catalogs.insert(source.to_string(), payload);
    reindex(model);
    Vec::new()
}

/// Rebuild the index from every catalog (first source first) and re-join everything.
pub fn reindex(model: &mut Model) {
    // One catalog (the usual case): the index its task built. Several: merged here, first
    // source first.
    let prebuilt = match model.catalogs.values().collect::<Vec<_>>()[..] {
        [only] => only.index.clone(),
        _ => None,
    };
    let index = prebuilt.unwrap_or_else(|| {
        let entities = model
            .catalogs
            .values()
            .flat_map(|c| c.entities.iter().cloned());
        Arc::new(CatalogIndex::build(entities))
    });
    let old = std::mem::replace(&mut model.catalog, index);
    model.rejoin_catalog(&old);
    model.alerts_view_stale = true;
    model.apps_view_stale = true;
    model.pending_rederive = true;
}

/// `:team NAME` / `--team NAME`: narrow every screen to the services `NAME` owns; an empty
/// name shows every team again.
pub fn set_team(model: &mut Model, name: &str) {
    let name = crate::sanitize::clean_line(name.trim(), 200);
    let name = name.as_str();
    if name.is_empty() {
        model.team = None;
        flash(model, FlashLevel::Success, "every team's services shown");
    } else if model.catalog.components().is_empty() {
        flash(
            model,
            FlashLevel::Error,
            "no catalog to know teams from: configure [[catalog]] or --catalog",
        );
        return;
    } else {
        let owned = model
            .catalog
            .components()
            .iter()
            .filter(|c| model.catalog.owned_by(&c.service, name))
            .count();
        if owned == 0 {
            let known = model.catalog.owners();
            flash(
                model,
                FlashLevel::Error,
                format!(
                    "no team `{name}` owns a service; teams: {}",
                    known.join(", ")
                ),
            );
            return;
        }
        model.team = Some(name.to_string());
        flash(
            model,
            FlashLevel::Success,
            format!(
                "team {name}: {} · :team alone shows all",
                crate::ui::format::plural(owned, "service")
            ),
        );
    }
    model.alerts_view_stale = true;
    model.apps_view_stale = true;
    model.refresh_derived(true);
}

pub fn on_oncall(model: &mut Model, source: &str, snapshot: Arc<OnCallSnapshot>) -> Vec<Effect> {
    // Nothing is derived from it: the owner card reads it when drawn.
    model.oncall.insert(source.to_string(), snapshot);
    Vec::new()
}

//! The open app's detail as lists the user can move through: its resource tree (unhealthy
//! subtrees first), its history (newest first) and its Kubernetes events (warnings first, then
//! newest). `Tab` picks the pane, `j`/`k` the row, `Enter` opens the row in full.

use super::Model;
use super::app::{AppDetail, AppKey, HealthStatus, KubeEvent, TreeNode};
use super::popup::InspectTarget;
use std::collections::HashMap;

/// The pane of the app detail view that has the keyboard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AppPane {
    #[default]
    Resources,
    History,
    Events,
}

impl AppPane {
    pub fn next(self) -> AppPane {
        match self {
            AppPane::Resources => AppPane::History,
            AppPane::History => AppPane::Events,
            AppPane::Events => AppPane::Resources,
        }
    }
}

/// Nodes walked at most when ordering a tree (a runaway tree must not stall a frame).
const MAX_TREE_NODES: usize = 5_000;

/// Tree rows in display order: (depth, node). Unhealthy subtrees first, children under their
/// parent; stops after `max` rows.
pub fn tree_rows(tree: &[TreeNode], max: usize) -> (Vec<(usize, &TreeNode)>, usize) {
    let nodes = &tree[..tree.len().min(MAX_TREE_NODES)];
    let index: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.uid.as_str(), i))
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut roots: Vec<usize> = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        let parent = n
            .parent_uids
            .iter()
            .find_map(|p| index.get(p.as_str()).copied())
            .filter(|p| *p != i);
        match parent {
            Some(p) => children[p].push(i),
            None => roots.push(i),
        }
    }
    // Worst health in each subtree (iteratively, guarding against parent cycles).
    let own = |n: &TreeNode| n.health.unwrap_or(HealthStatus::Healthy);
    let mut worst: Vec<Option<HealthStatus>> = vec![None; nodes.len()];
    fn subtree_worst(
        i: usize,
        nodes: &[TreeNode],
        children: &[Vec<usize>],
        worst: &mut Vec<Option<HealthStatus>>,
        own: &dyn Fn(&TreeNode) -> HealthStatus,
        depth: usize,
    ) -> HealthStatus {
        if let Some(w) = worst[i] {
            return w;
        }
        let mut w = own(&nodes[i]);
        worst[i] = Some(w); // cycle guard
        if depth < 64 {
            for &c in &children[i] {
                w = w.min(subtree_worst(c, nodes, children, worst, own, depth + 1));
            }
        }
        worst[i] = Some(w);
        w
    }
    for i in 0..nodes.len() {
        subtree_worst(i, nodes, &children, &mut worst, &own, 0);
    }
    let order = |v: &mut Vec<usize>| {
        v.sort_by(|a, b| {
            worst[*a]
                .cmp(&worst[*b])
                .then_with(|| nodes[*a].kind.cmp(&nodes[*b].kind))
                .then_with(|| nodes[*a].name.cmp(&nodes[*b].name))
        })
    };
    order(&mut roots);
    for c in &mut children {
        order(c);
    }
    let mut out: Vec<(usize, &TreeNode)> = Vec::new();
    let mut seen = vec![false; nodes.len()];
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|r| (0, *r)).collect();
    while let Some((depth, i)) = stack.pop() {
        if seen[i] {
            continue;
        }
        seen[i] = true;
        if out.len() == max {
            break;
        }
        out.push((depth, &nodes[i]));
        for &c in children[i].iter().rev() {
            stack.push((depth + 1, c));
        }
    }
    // Nodes only reachable through a parent cycle: list them flat rather than hide them.
    for (i, n) in nodes.iter().enumerate() {
        if out.len() == max {
            break;
        }
        if !seen[i] {
            out.push((0, n));
        }
    }
    let unhealthy = nodes
        .iter()
        .filter(|n| {
            n.health
                .is_some_and(|h| h != HealthStatus::Healthy && h != HealthStatus::Unknown)
        })
        .count();
    (out, unhealthy)
}

/// Events in display order (indexes into `detail.events`): warnings first, then the newest.
pub fn events_in_order(detail: &AppDetail) -> Vec<usize> {
    let mut order: Vec<usize> = (0..detail.events.len()).collect();
    let events = &detail.events;
    order.sort_by(|a, b| {
        is_warning(&events[*b])
            .cmp(&is_warning(&events[*a]))
            .then_with(|| events[*b].last_seen.cmp(&events[*a].last_seen))
    });
    order
}

pub fn is_warning(e: &KubeEvent) -> bool {
    e.event_type.eq_ignore_ascii_case("warning")
}

/// How many rows `pane` of the open app has.
pub fn pane_len(model: &Model, key: &AppKey, pane: AppPane) -> usize {
    let detail = model.app_details.get(key);
    match pane {
        AppPane::Resources => detail
            .map(|d| d.tree.len().min(MAX_TREE_NODES))
            .unwrap_or(0),
        AppPane::History => model.apps.get(key).map(|a| a.history.len()).unwrap_or(0),
        AppPane::Events => detail.map(|d| d.events.len()).unwrap_or(0),
    }
}

/// What row `row` of `pane` shows, for the reading popup.
pub fn pane_target(
    model: &Model,
    key: &AppKey,
    pane: AppPane,
    row: usize,
) -> Option<InspectTarget> {
    let detail = model.app_details.get(key);
    match pane {
        AppPane::Resources => {
            let d = detail?;
            let (rows, _) = tree_rows(&d.tree, row + 1);
            let (_, node) = rows.get(row)?;
            Some(InspectTarget::Resource {
                app: key.clone(),
                uid: node.uid.clone(),
            })
        }
        AppPane::History => {
            let app = model.apps.get(key)?;
            let entry = app.history.iter().rev().nth(row)?;
            Some(InspectTarget::History {
                app: key.clone(),
                id: entry.id,
            })
        }
        AppPane::Events => {
            let d = detail?;
            let index = *events_in_order(d).get(row)?;
            Some(InspectTarget::KubeEvent {
                app: key.clone(),
                event: Box::new(d.events[index].clone()),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::app::TreeNode;

    fn node(uid: &str, parent: &str, health: Option<HealthStatus>) -> TreeNode {
        TreeNode {
            kind: "Pod".to_string(),
            namespace: "shop".to_string(),
            name: uid.to_string(),
            uid: uid.to_string(),
            parent_uids: if parent.is_empty() {
                Vec::new()
            } else {
                vec![parent.to_string()]
            },
            health,
            health_message: String::new(),
            images: Vec::new(),
            info: Vec::new(),
            created_at: None,
        }
    }

    fn order(tree: &[TreeNode], max: usize) -> Vec<(usize, &str)> {
        tree_rows(tree, max)
            .0
            .into_iter()
            .map(|(d, n)| (d, n.uid.as_str()))
            .collect()
    }

    #[test]
    fn unhealthy_subtrees_first_children_under_parents() {
        use HealthStatus::{Degraded, Healthy};
        let tree = vec![
            node("a-ok", "", Some(Healthy)),
            node("b", "", Some(Healthy)),
            node("b-child-ok", "b", Some(Healthy)),
            node("b-child-bad", "b", Some(Degraded)),
            node("c-none", "", None),
        ];
        // `b` is healthy itself but holds a degraded child: its subtree goes first.
        assert_eq!(
            order(&tree, 10),
            vec![
                (0, "b"),
                (1, "b-child-bad"),
                (1, "b-child-ok"),
                (0, "a-ok"),
                (0, "c-none"),
            ]
        );
        assert_eq!(tree_rows(&tree, 10).1, 1);
        // Stops at `max` rows.
        assert_eq!(order(&tree, 2).len(), 2);
    }

    #[test]
    fn cycles_and_self_parents_are_listed_not_lost() {
        let tree = vec![
            node("x", "y", None),
            node("y", "x", None),
            node("me", "me", None),
        ];
        let rows = order(&tree, 10);
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert!(rows.contains(&(0, "me")));
    }
}

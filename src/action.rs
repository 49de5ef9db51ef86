//! What the user meant. Keys map to actions through the keymap; everything else about an action
//! — its name in the config's `[keys]`, its default keys, its help line and group, what it
//! changes — is its one entry in the action table, so bindings, config names and the help
//! overlay cannot drift apart. The screens' actions (`1` … `6`) come from the screen table.

use crate::model::source::SourceKind;
use crate::model::ui::Screen;
use crate::screens::SCREENS;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Enter,
    Back,
    NextPane,
    /// Show this screen (its number key).
    Screen(Screen),
    Filter,
    Command,
    Help,
    Quit,
    Silence,
    Rollback,
    Sync,
    Terminate,
    Runbook,
    Incident,
    Note,
    Milestone,
    /// Star the selected timeline event (a key event of the post-mortem).
    Star,
    /// Correct the selected timeline event's time.
    CorrectTime,
    Export,
    Open,
    Copy,
    Refresh,
    Suspend,
    /// Kubernetes: a pod's log tail (the selected pod, or a workload's worst pod).
    KubeLogs,
    /// Log view: the previous (terminated) container's log.
    LogsPrevious,
    /// Log view: the next container of the pod.
    LogsContainer,
    /// Log view: follow (read the tail again every 2 s).
    LogsFollow,
    /// Kubernetes: `kubectl rollout undo` of the selected Deployment.
    KubeUndo,
    /// Kubernetes: `kubectl rollout restart`.
    KubeRestart,
    /// Kubernetes: `kubectl scale`.
    KubeScale,
    /// Argo Rollouts: abort / retry / promote.
    RolloutAbort,
    RolloutRetry,
    RolloutPromote,
    /// Kubernetes screen: show the next cluster.
    NextCluster,
    /// Diff view: the next / previous hunk.
    NextHunk,
    PrevHunk,
    /// Diff view: scroll long lines left / right.
    ScrollLeft,
    ScrollRight,
    /// What the selected deploy changed: its rendered manifests against the deploy before.
    DeployDiff,
}

/// The help overlay's groups, in the order it shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum HelpGroup {
    Navigation,
    Screens,
    Actions,
    Kubernetes,
    General,
}

impl HelpGroup {
    pub const ALL: [HelpGroup; 5] = [
        HelpGroup::Navigation,
        HelpGroup::Screens,
        HelpGroup::Actions,
        HelpGroup::Kubernetes,
        HelpGroup::General,
    ];

    pub fn title(self) -> &'static str {
        match self {
            HelpGroup::Navigation => "Navigation",
            HelpGroup::Screens => "Screens",
            HelpGroup::Actions => "Actions",
            HelpGroup::Kubernetes => "Kubernetes",
            HelpGroup::General => "General",
        }
    }
}

/// One action, everything known about it.
#[derive(Clone, Debug)]
pub struct ActionDef {
    pub action: Action,
    /// Its name in the config's `[keys]`: `silence = ["s"]`.
    pub name: Cow<'static, str>,
    /// Its default keys (`KeySpec` syntax), the first one shown in hints.
    pub keys: &'static [&'static str],
    /// Its line in the help overlay.
    pub help: Cow<'static, str>,
    pub group: HelpGroup,
    /// The kind of source it changes in the outside world, if any: off in read-only mode, and
    /// `model::permissions` decides when it may run.
    pub mutates: Option<SourceKind>,
}

const fn entry(
    action: Action,
    name: &'static str,
    group: HelpGroup,
    keys: &'static [&'static str],
    help: &'static str,
) -> ActionDef {
    ActionDef {
        action,
        name: Cow::Borrowed(name),
        keys,
        help: Cow::Borrowed(help),
        group,
        mutates: None,
    }
}

impl ActionDef {
    const fn mutates(mut self, kind: SourceKind) -> ActionDef {
        self.mutates = Some(kind);
        self
    }
}

/// Every action but the screens', in help order within each group. Defaults follow k9s and vim
/// habits.
#[rustfmt::skip]
const ACTIONS: &[ActionDef] = {
    use Action::*;
    use HelpGroup::*;
    use SourceKind::{Alertmanager, Argocd, Kube};
    &[
        //    action      [keys] name   help group   default keys       help line
        entry(Down,       "down",       Navigation,  &["j", "down"],    "move down"),
        entry(Up,         "up",         Navigation,  &["k", "up"],      "move up"),
        entry(PageDown,   "page_down",  Navigation,  &["ctrl-d", "pagedown"], "page down"),
        entry(PageUp,     "page_up",    Navigation,  &["ctrl-u", "pageup"], "page up"),
        entry(Top,        "top",        Navigation,  &["g", "home"],    "go to top"),
        entry(Bottom,     "bottom",     Navigation,  &["G", "end"],     "go to bottom"),
        entry(Enter,      "enter",      Navigation,  &["enter"],        "drill in / expand group"),
        entry(Back,       "back",       Navigation,  &["esc"],
              "back / close / clear filter"),
        entry(NextPane,   "next_pane",  Navigation,  &["tab"],          "next pane"),
        entry(NextHunk,   "next_hunk",  Navigation,  &["]"],            "diff: next hunk"),
        entry(PrevHunk,   "prev_hunk",  Navigation,  &["["],            "diff: previous hunk"),
        entry(ScrollLeft, "scroll_left", Navigation, &["left"],         "diff: scroll long lines left"),
        entry(ScrollRight, "scroll_right", Navigation, &["right"],      "diff: scroll long lines right"),
        // (Here the screens': `Screen(…)`, `screen_alerts`, Screens, `1`… per screen.)
        entry(Filter,     "filter",     General,     &["/"],
              "filter (fuzzy text, or matchers like severity=critical)"),
        entry(Command,    "command",    General,     &[":"],
              "command palette (:alerts, :theme light, :q …)"),
        entry(Help,       "help",       General,     &["?"],            "this help"),
        entry(Quit,       "quit",       General,     &["q", "ctrl-c"],  "quit"),
        entry(Silence,    "silence",    Actions,     &["s"],
              "silence the selected alert or group / expire its silence").mutates(Alertmanager),
        entry(Rollback,   "rollback",   Actions,     &["R"],
              "roll back the selected app (Argo CD)").mutates(Argocd),
        entry(Sync,       "sync",       Actions,     &["S"],
              "sync the selected app (Argo CD)").mutates(Argocd),
        entry(Terminate,  "terminate",  Actions,     &["x"],
              "terminate the running operation (Argo CD)").mutates(Argocd),
        entry(Runbook,    "runbook",    Actions,     &["r"],
              "open the selected alert's runbook beside the triage"),
        entry(Incident,   "incident",   Actions,     &["i"],            "declare an incident"),
        entry(Note,       "note",       Actions,     &["n"],
              "add a note to the timeline"),
        entry(Milestone,  "milestone",  Actions,     &["m"],
              "mark a milestone of the incident (impact started … resolved)"),
        entry(Star,       "star",       Actions,     &["*"],
              "star the selected event as a key event (Timeline)"),
        entry(CorrectTime, "correct_time", Actions,  &["E"],
              "correct when the selected event happened (Timeline)"),
        entry(Export,     "export",     Actions,     &["e"],
              "export the incident's post-mortem (Markdown)"),
        entry(Open,       "open",       Actions,     &["o"],
              "open the selection's link in a browser"),
        entry(Copy,       "copy",       Actions,     &["y"],            "copy the selection"),
        entry(Refresh,    "refresh",    General,     &["ctrl-r"],       "refresh all sources now"),
        entry(Suspend,    "suspend",    General,     &["ctrl-z"],
              "suspend to the shell (fg to return)"),
        entry(KubeLogs,   "pod_logs",   Kubernetes,  &["l"],
              "pod log tail (the selected pod, or a workload's worst pod)"),
        entry(LogsPrevious, "logs_previous", Kubernetes, &["p"],
              "log view: the previous (terminated) container's log"),
        entry(LogsContainer, "logs_container", Kubernetes, &["c"],
              "log view: next container of the pod"),
        entry(LogsFollow, "logs_follow", Kubernetes, &["f"],
              "log view: follow (read again every 2 s)"),
        entry(KubeUndo,   "rollout_undo", Kubernetes, &["u"],
              "rollout undo the selected Deployment (kubectl semantics)").mutates(Kube),
        entry(KubeRestart, "rollout_restart", Kubernetes, &["T"],
              "rollout restart the selected workload").mutates(Kube),
        entry(KubeScale,  "scale",      Kubernetes,  &["+"],
              "scale the selected workload").mutates(Kube),
        entry(RolloutAbort, "rollout_abort", Kubernetes, &["A"],
              "abort the selected Argo Rollout's update").mutates(Kube),
        entry(RolloutRetry, "rollout_retry", Kubernetes, &["Y"],
              "retry the selected Argo Rollout's aborted update").mutates(Kube),
        entry(RolloutPromote, "rollout_promote", Kubernetes, &["P"],
              "promote the selected Argo Rollout past its pause").mutates(Kube),
        entry(NextCluster, "next_cluster", Kubernetes, &["C"],
              "Kubernetes screen: next cluster (:ctx NAME picks one)"),
        entry(DeployDiff, "deploy_diff", Actions,    &["d"],
              "what the selected deploy changed (its manifests against the deploy before)"),
    ]
};

/// The number keys, by position in the screen table.
const DIGITS: [&str; 9] = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];

/// The whole table: [`ACTIONS`] with the screens' actions after the navigation group.
static TABLE: LazyLock<Vec<ActionDef>> = LazyLock::new(|| {
    let screens = SCREENS.iter().enumerate().map(|(i, s)| ActionDef {
        action: Action::Screen(s.screen),
        name: Cow::Owned(format!("screen_{}", s.command)),
        keys: &DIGITS[i..=i],
        help: Cow::Owned(format!("{} screen", s.title)),
        group: HelpGroup::Screens,
        mutates: None,
    });
    let split = ACTIONS
        .iter()
        .position(|d| d.group != HelpGroup::Navigation)
        .unwrap_or(ACTIONS.len());
    let (navigation, rest) = ACTIONS.split_at(split);
    let mut table: Vec<ActionDef> = navigation.to_vec();
    table.extend(screens);
    table.extend(rest.iter().cloned());
    table
});

/// Every config name, for "unknown action, expected one of …".
static NAMES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| TABLE.iter().map(|d| d.name.as_ref()).collect());

impl Action {
    /// Every action, in help order.
    pub fn all() -> impl Iterator<Item = Action> {
        TABLE.iter().map(|d| d.action)
    }

    /// Its entry in the action table.
    pub fn def(self) -> &'static ActionDef {
        TABLE
            .iter()
            .find(|d| d.action == self)
            .expect("every action has an entry in the action table")
    }

    /// Its place in help order.
    pub fn position(self) -> usize {
        TABLE.iter().position(|d| d.action == self).unwrap_or(0)
    }

    /// The action a config name (`silence`, `screen_alerts`) stands for.
    pub fn from_name(name: &str) -> Option<Action> {
        TABLE.iter().find(|d| d.name == name).map(|d| d.action)
    }

    /// Its name in the config's `[keys]`.
    pub fn name(self) -> &'static str {
        &self.def().name
    }

    pub fn describe(self) -> &'static str {
        &self.def().help
    }

    /// The kind of source it changes, if it changes the outside world.
    pub fn mutates(self) -> Option<SourceKind> {
        self.def().mutates
    }

    pub fn is_mutation(self) -> bool {
        self.mutates().is_some()
    }
}

impl Serialize for Action {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Action, D::Error> {
        let name = Cow::<str>::deserialize(d)?;
        Action::from_name(&name)
            .ok_or_else(|| serde::de::Error::unknown_variant(&name, NAMES.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_action_has_one_entry_with_its_own_name() {
        let all: Vec<Action> = Action::all().collect();
        for (i, a) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(a), "{a:?} twice");
            assert_eq!(Action::from_name(a.name()), Some(*a));
            assert!(!a.describe().is_empty());
        }
        for s in SCREENS {
            assert!(all.contains(&Action::Screen(s.screen)));
        }
    }

    #[test]
    fn config_names_stay_what_they_were() {
        let names: Vec<&str> = Action::all().map(Action::name).collect();
        for name in [
            "down",
            "page_down",
            "next_pane",
            "screen_triage",
            "screen_alerts",
            "screen_apps",
            "screen_deploys",
            "screen_services",
            "screen_timeline",
            "silence",
            "rollback",
            "suspend",
        ] {
            assert!(names.contains(&name), "{name}");
        }
        let a: Action = serde_json::from_str("\"screen_alerts\"").unwrap();
        assert_eq!(a, Action::Screen(Screen::Alerts));
        assert_eq!(
            serde_json::to_string(&Action::PageDown).unwrap(),
            "\"page_down\""
        );
        let err = serde_json::from_str::<Action>("\"teleport\"").unwrap_err();
        assert!(err.to_string().contains("unknown variant"), "{err}");
    }
}

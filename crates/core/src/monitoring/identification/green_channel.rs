//! 绿色通道: for the configured risks (disaster and accident by default) assistance
//! may start at once, before the identification's steps are all taken.

use chrono::NaiveDate;

use super::procedure::Identification;
use super::steps::IdentAction;
use crate::access::Role;
use crate::codes::CodeList;
use crate::monitoring::common::{
    Actor, Label, Refusal, RefusalCode, require_not_before, require_role, require_text,
};

/// The roles that may open the green channel 绿色通道.
pub const GREEN_CHANNEL_ROLES: &[Role] = &[Role::TownshipAdmin, Role::CountyAdmin];

const GREEN_CHANNEL: Label = ("绿色通道", "Green channel");

/// The green channel, once opened.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GreenChannel {
    /// Opened by.
    pub actor: Actor,
    /// On.
    pub on: NaiveDate,
    /// Why.
    pub reason: String,
}

impl Identification {
    pub(super) fn open_green_channel(
        &self,
        action: IdentAction,
        actor: &Actor,
        on: NaiveDate,
    ) -> Result<Identification, Refusal> {
        let IdentAction::OpenGreenChannel { reason } = action else {
            return Err(Refusal::invalid("无效操作", "Invalid action"));
        };
        require_role(actor, GREEN_CHANNEL, GREEN_CHANNEL_ROLES)?;
        if self.green_channel.is_some() {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                "绿色通道已经开启",
                "The green channel is already open",
            ));
        }
        let eligible = self.clue_risks.iter().any(|r| {
            self.rules
                .green_channel_risks
                .iter()
                .any(|g| g.parent() == r.parent())
        });
        if !eligible {
            let zh: Vec<&str> = self
                .rules
                .green_channel_risks
                .iter()
                .map(|r| r.label_zh())
                .collect();
            let en: Vec<&str> = self
                .rules
                .green_channel_risks
                .iter()
                .map(|r| r.label_en())
                .collect();
            return Err(Refusal::new(
                RefusalCode::NotEligible,
                format!("绿色通道仅适用于{}", zh.join("、")),
                format!("The green channel is only for: {}", en.join(", ")),
            ));
        }
        require_text(
            &reason,
            ("开启绿色通道的理由", "reason for the green channel"),
        )?;
        require_not_before(on, self.started_on)?;
        let mut next = self.clone();
        next.green_channel = Some(GreenChannel {
            actor: actor.clone(),
            on,
            reason,
        });
        Ok(next)
    }
}

//! One-off upgrades of items written by earlier releases, for `make migrate` (an operator's
//! tool, not a request path: it scans). Each step is idempotent and conditional, so running it
//! again, or while the bot serves, changes nothing that is already right.

use super::attr::*;
use super::{failed, is_condition_failure, key_map, keys, scan_all, DynamoStore};
use crate::domain::CallMeState;
use crate::ports::StoreError;

/// What a migration did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Migrated {
    /// Items brought up to date.
    pub updated: u32,
    /// Items that were already up to date.
    pub current: u32,
}

impl DynamoStore {
    /// Call-back requests made before the `ByStatus` index existed carry no `status` and
    /// `created_at`, so no listing finds them: each gets `status = CALLBACK#<state>` and
    /// `created_at = requested_at`, on condition that it still has no `status` and is in the
    /// state read (a request changed meanwhile was written whole, with both).
    pub async fn list_old_call_me_requests(&self) -> Result<Migrated, StoreError> {
        let scan = self.client.scan().table_name(&self.tickets_table).consistent_read(true);
        let mut migrated = Migrated::default();
        for item in scan_all(scan, keys::CALL_ME).await? {
            if item.contains_key("status") {
                migrated.current += 1;
                continue;
            }
            let state = get_s(&item, "state").ok_or_else(|| corrupt("call-me state"))?;
            CallMeState::from_code(state).ok_or_else(|| corrupt("call-me state"))?;
            let id = get_s(&item, "id").ok_or_else(|| corrupt("call-me id"))?;
            let result = self
                .client
                .update_item()
                .table_name(&self.tickets_table)
                .set_key(Some(key_map(keys::call_me(id))))
                .update_expression("SET #status = :listing, created_at = if_not_exists(created_at, requested_at)")
                .condition_expression("attribute_exists(pk) AND attribute_not_exists(#status) AND #state = :state")
                .expression_attribute_names("#status", "status")
                .expression_attribute_names("#state", "state")
                .expression_attribute_values(":listing", s(keys::call_me_listing(state)))
                .expression_attribute_values(":state", s(state))
                .send()
                .await;
            match result {
                Ok(_) => migrated.updated += 1,
                Err(error) if is_condition_failure(&error) => migrated.current += 1,
                Err(error) => return Err(failed(error)),
            }
        }
        Ok(migrated)
    }
}

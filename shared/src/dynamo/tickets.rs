//! [`TicketStore`] on the TicketsTable (and the BotTable's ticket counter).

use super::attr::*;
use super::codec;
use super::keys::{self, Kind};
use super::listing::{filtered, newest_page, Condition};
use super::write::*;
use super::{failed, query_all, DynamoStore};
use crate::dialogue::TicketSummary;
use crate::domain::{Comment, JournalEntry, Ticket, TicketDetails, TicketStatus};
use crate::ports::{
    journal_tag, KeptResult, KeptResults, Page, Position, RatedWork, StoreError, TicketFilter, TicketStore,
};
use aws_sdk_dynamodb::types::{ReturnValue, TransactWriteItem};
use chrono::{DateTime, Datelike, Utc};

impl TicketStore for DynamoStore {
    /// `UpdateItem ADD`: atomic, outside any transaction.
    async fn next_ticket_id(&self) -> Result<u64, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.bot_table)
            .set_key(Some(key_map(keys::ticket_counter())))
            .update_expression("ADD #v :one")
            .expression_attribute_names("#v", "value")
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(failed)?;
        output.attributes.as_ref().and_then(|a| get_u64(a, "value")).ok_or_else(|| corrupt("ticket counter"))
    }

    async fn ticket(&self, id: u64) -> Result<Option<Ticket>, StoreError> {
        self.get(&self.tickets_table, keys::ticket(id)).await?.as_ref().map(codec::ticket::from_item).transpose()
    }

    async fn contact_tickets(&self, contact_id: &str) -> Result<Vec<TicketSummary>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.tickets_table)
            .index_name(keys::BY_CONTACT)
            .key_condition_expression("contact_id = :c")
            .expression_attribute_values(":c", s(contact_id))
            .projection_expression(codec::ticket::SUMMARY_PROJECTION)
            .expression_attribute_names("#s", "status")
            .scan_index_forward(false);
        // A summary that does not read is left out of lists rather than failing every menu.
        Ok(query_all(query).await?.iter().filter_map(|item| codec::ticket::summary_from_item(item).ok()).collect())
    }

    async fn create_ticket(
        &self,
        ticket: &Ticket,
        journal: &[JournalEntry],
        once: Option<&KeptResult>,
    ) -> Result<(), StoreError> {
        let put = put(&self.tickets_table, codec::ticket::to_item(ticket));
        let mut items = self.kept_result_items(once)?;
        items.push(tx_put(put.condition_expression("attribute_not_exists(pk)"))?);
        items.extend(self.journal_items(ticket, journal)?);
        self.transact(items).await
    }

    /// One query of the ticket's partition.
    async fn ticket_details(&self, id: u64) -> Result<Option<TicketDetails>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.tickets_table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(keys::ticket_partition(id)))
            .consistent_read(true);
        let mut ticket = None;
        let (mut comments, mut attachments, mut journal) = (vec![], vec![], vec![]);
        for item in &query_all(query).await? {
            match keys::kind_of(get_s(item, "sk").unwrap_or_default()) {
                Kind::Ticket => ticket = Some(codec::ticket::from_item(item)?),
                Kind::Comment => comments.push(codec::comment::from_item(item)?),
                Kind::Attachment => attachments.push(codec::attachment::from_item(item)?),
                Kind::Journal => journal.push(codec::journal::from_item(item)?),
                _ => {}
            }
        }
        comments.sort_by(|a: &Comment, b: &Comment| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
        Ok(ticket.map(|ticket| TicketDetails { ticket, comments, attachments, journal }))
    }

    /// One index partition per page where a contact, a client or a status is named; every
    /// status's partition of `ByStatus` merged otherwise.
    async fn list_tickets(
        &self,
        filter: &TicketFilter,
        cursor: Option<&Position>,
        limit: usize,
    ) -> Result<Page<Ticket>, StoreError> {
        let partition = |index, attribute, value: &str| self.partition_query(index, attribute, value, cursor);
        // What the partition does not decide is filtered as it is read.
        let mut rest: Vec<Condition<'_>> = vec![];
        let queries: Vec<_> = match (&filter.contact_id, &filter.client_id, filter.status) {
            (Some(contact), client, status) => {
                rest.extend(client.as_deref().map(|c| Condition::Equals("client_id", ":client", c)));
                rest.extend(status.map(|s| Condition::Equals("status", ":status", s.code())));
                vec![partition(keys::BY_CONTACT, "contact_id", contact)]
            }
            (None, Some(client), status) => {
                rest.extend(status.map(|s| Condition::Equals("status", ":status", s.code())));
                vec![partition(keys::BY_CLIENT, "client_id", client)]
            }
            (None, None, Some(status)) => vec![partition(keys::BY_STATUS, "status", status.code())],
            (None, None, None) => TicketStatus::ALL
                .into_iter()
                .map(|status| partition(keys::BY_STATUS, "status", status.code()))
                .collect(),
        };
        rest.extend(filter.rated.map(|rated| Condition::Exists("rating_score", rated)));
        let queries = queries.into_iter().map(|query| filtered(query, &rest)).collect();
        newest_page(queries, codec::ticket::from_item, cursor, limit).await
    }

    async fn update_ticket(&self, ticket: &Ticket, journal: &[JournalEntry]) -> Result<(), StoreError> {
        let mut update = update(&self.tickets_table, keys::ticket(ticket.id))
            .condition_expression("version = :read")
            .expression_attribute_names("#s", "status")
            .expression_attribute_values(":read", n(ticket.version - 1))
            .expression_attribute_values(":version", n(ticket.version))
            .expression_attribute_values(":status", s(ticket.status.code()))
            .expression_attribute_values(":updated", time(ticket.updated_at))
            .expression_attribute_values(":by", s(ticket.changed_by.code()));
        let mut set = vec!["#s = :status", "version = :version", "updated_at = :updated", "changed_by = :by"];
        let mut remove = vec![];
        match &ticket.assignee_id {
            Some(assignee) => {
                set.extend(["assignee_id = :assignee", "assignee_name = :assignee_name"]);
                update = update
                    .expression_attribute_values(":assignee", s(assignee))
                    .expression_attribute_values(":assignee_name", s(ticket.assignee_name.clone().unwrap_or_default()));
            }
            None => remove.extend(["assignee_id", "assignee_name"]),
        }
        match ticket.deadline {
            Some(deadline) => {
                set.push("deadline = :deadline");
                update = update.expression_attribute_values(":deadline", time(deadline));
            }
            None => remove.push("deadline"),
        }
        match ticket.completed_at {
            Some(at) => {
                set.push("completed_at = :completed");
                update = update.expression_attribute_values(":completed", time(at));
            }
            None => remove.push("completed_at"),
        }
        let mut expression = format!("SET {}", set.join(", "));
        if !remove.is_empty() {
            expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        let mut items = vec![tx_update(update.update_expression(expression))?];
        items.extend(self.journal_items(ticket, journal)?);
        self.transact(items).await
    }

    /// One query per month of the period (`RATING#<yyyy-mm>`).
    async fn ratings(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<RatedWork>, StoreError> {
        let mut months = vec![];
        let mut month = from.date_naive().with_day(1).unwrap_or(from.date_naive());
        while month <= to.date_naive() && months.len() <= 13 {
            months.push(codec::rating::month(month.and_time(chrono::NaiveTime::MIN).and_utc()));
            month = month.checked_add_months(chrono::Months::new(1)).unwrap_or(chrono::NaiveDate::MAX);
        }
        let mut found = vec![];
        for month in months {
            let query = self
                .client
                .query()
                .table_name(&self.tickets_table)
                .key_condition_expression("pk = :pk")
                .filter_expression("rated_at >= :from AND rated_at < :to")
                .expression_attribute_values(":pk", s(keys::rating_partition(&month)))
                .expression_attribute_values(":from", time(from))
                .expression_attribute_values(":to", time(to));
            for item in query_all(query).await? {
                found.push(codec::rating::from_item(&item)?);
            }
        }
        Ok(found)
    }

    async fn add_comment(&self, comment: &Comment, once: Option<&KeptResult>) -> Result<(), StoreError> {
        let put = put(&self.tickets_table, codec::comment::to_item(comment));
        // The ticket must exist: a comment never lands on nothing.
        let ticket =
            check(&self.tickets_table, keys::ticket(comment.ticket_id)).condition_expression("attribute_exists(pk)");
        let mut items = self.kept_result_items(once)?;
        items.extend([tx_check(ticket)?, tx_put(put.condition_expression("attribute_not_exists(pk)"))?]);
        self.transact(items).await
    }
}

impl KeptResults for DynamoStore {
    async fn kept_result(&self, key: &str, now: DateTime<Utc>) -> Result<Option<KeptResult>, StoreError> {
        let item = self.get(&self.bot_table, keys::kept_result(key)).await?;
        let kept = item.as_ref().map(codec::kept_result::from_item).transpose()?;
        Ok(kept.filter(|result| result.expires_at > now))
    }
}

impl DynamoStore {
    /// The kept result of an idempotent creation, first in its transaction (so that its failed
    /// condition reads as `Duplicate`): written if no live result holds the key.
    fn kept_result_items(&self, once: Option<&KeptResult>) -> Result<Vec<TransactWriteItem>, StoreError> {
        once.map(|result| {
            tx_put(
                put(&self.bot_table, codec::kept_result::to_item(result))
                    .condition_expression("attribute_not_exists(pk) OR expires_at <= :now")
                    .expression_attribute_values(":now", n(result.created_at.timestamp())),
            )
        })
        .into_iter()
        .collect()
    }

    /// The journal entries of a write that makes `ticket` (its version), in the order given.
    fn journal_items(&self, ticket: &Ticket, journal: &[JournalEntry]) -> Result<Vec<TransactWriteItem>, StoreError> {
        let item = |(place, entry)| codec::journal::to_item(ticket.id, entry, &journal_tag(ticket.version, place));
        journal.iter().enumerate().map(|e| tx_put(put(&self.tickets_table, item(e)))).collect()
    }
}

//! [`TicketStore`] on the TicketsTable (and the BotTable's ticket counter).

use super::attr::*;
use super::codec;
use super::keys::{self, Kind};
use super::listing::{filtered, newest_page, Condition};
use super::{failed, query_all, DynamoStore};
use crate::dialogue::TicketSummary;
use crate::domain::{Comment, JournalEntry, Ticket, TicketDetails, TicketStatus};
use crate::ports::{
    Attached, KeptResult, KeptResults, Page, Position, RatedWork, StoreError, TicketFilter, TicketStore, Upload,
    Uploads,
};
use aws_sdk_dynamodb::types::ReturnValue;
use chrono::{DateTime, Datelike, Utc};

impl DynamoStore {
    /// A query of the tickets' summaries in an index partition (`key`: the condition on `:k`),
    /// newest first.
    fn summaries(
        &self,
        index: &str,
        key: &str,
        value: &str,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        self.client
            .query()
            .table_name(&self.tickets_table)
            .index_name(index)
            .key_condition_expression(key)
            .expression_attribute_values(":k", s(value))
            .projection_expression(codec::ticket::SUMMARY_PROJECTION)
            .expression_attribute_names("#s", "status")
            .scan_index_forward(false)
    }
}

/// The summaries a query finds; one that does not read is left out of lists rather than
/// failing every menu.
async fn summaries_of(
    query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
) -> Result<Vec<TicketSummary>, StoreError> {
    Ok(query_all(query).await?.iter().filter_map(|item| codec::ticket::summary_from_item(item).ok()).collect())
}

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

    async fn comment(&self, ticket_id: u64, comment_id: &str) -> Result<Option<Comment>, StoreError> {
        let item = self.get(&self.tickets_table, keys::comment(ticket_id, comment_id)).await?;
        // An item with a caption alone (its comment not written yet) is no comment.
        item.filter(|item| item.contains_key("id")).as_ref().map(codec::comment::from_item).transpose()
    }

    async fn contact_tickets(&self, contact_id: &str) -> Result<Vec<TicketSummary>, StoreError> {
        let query = self.summaries(keys::BY_CONTACT, "contact_id = :k", contact_id);
        summaries_of(query).await
    }

    async fn assigned_tickets(&self, employee_id: &str) -> Result<Vec<TicketSummary>, StoreError> {
        // Completed and cancelled ones stay in the index: the filter leaves them out of the answer.
        let query = self
            .summaries(keys::BY_ASSIGNEE, "assignee_id = :k", employee_id)
            .filter_expression("NOT #s IN (:done, :closed, :cancelled)")
            .expression_attribute_values(":done", s(TicketStatus::Done.code()))
            .expression_attribute_values(":closed", s(TicketStatus::Closed.code()))
            .expression_attribute_values(":cancelled", s(TicketStatus::Cancelled.code()));
        summaries_of(query).await
    }

    async fn create_ticket_with(
        &self,
        ticket: &Ticket,
        journal: &[JournalEntry],
        once: Option<&KeptResult>,
        attached: &Attached,
    ) -> Result<(), StoreError> {
        self.apply(crate::plan::new_ticket(ticket, journal, once, attached)).await
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
        self.apply(crate::plan::ticket_change(ticket, journal)).await
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

    async fn add_comment_with(
        &self,
        comment: &Comment,
        once: Option<&KeptResult>,
        attached: &Attached,
    ) -> Result<(), StoreError> {
        // The ticket must exist: a comment never lands on nothing.
        self.apply(crate::plan::comment(comment, once, attached)).await
    }
}

impl Uploads for DynamoStore {
    async fn put_upload(&self, upload: &Upload) -> Result<(), StoreError> {
        let item = codec::upload::to_item(upload);
        self.client.put_item().table_name(&self.bot_table).set_item(Some(item)).send().await.map_err(failed)?;
        Ok(())
    }

    /// A consistent GetItem each (a creation takes at most ten).
    async fn uploads(&self, ids: &[String]) -> Result<Vec<Upload>, StoreError> {
        let mut found = vec![];
        for id in ids {
            if let Some(item) = self.get(&self.bot_table, keys::upload(id)).await? {
                found.push(codec::upload::from_item(&item)?);
            }
        }
        Ok(found)
    }
}

impl KeptResults for DynamoStore {
    async fn kept_result(&self, key: &str, now: DateTime<Utc>) -> Result<Option<KeptResult>, StoreError> {
        let item = self.get(&self.bot_table, keys::kept_result(key)).await?;
        let kept = item.as_ref().map(codec::kept_result::from_item).transpose()?;
        Ok(kept.filter(|result| result.expires_at > now))
    }
}

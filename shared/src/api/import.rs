//! `POST /import/{kind}`: clients, contacts or employees in bulk, from CSV.

use super::directory::{linked_as_before, ClientInput, ContactInput, ContactWrite, EmployeeInput};
use super::{contact_json, parse_bool, Api, ApiResponse, ApiResult, Refusal};
use crate::domain::{valid_id, Contact};
use crate::ports::{
    CallMeRequests, Directory, FileLinks, KeptResults, StoreError, TicketStore, Uploads, PUT_CONTACTS_MAX,
};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde_json::{json, Value};

/// The most lines one `POST /import/{kind}` takes (413 above).
pub const IMPORT_MAX_ROWS: usize = 5_000;

/// How many lines of an import are stored at once.
const IMPORT_CONCURRENCY: usize = 32;

/// An import line's number and whether it was stored (or why not).
type LineOutcome = (u64, Result<(), Refusal>);

/// The kinds of record `POST /import/{kind}` takes.
#[derive(Debug, Clone, Copy)]
pub(super) enum Kind {
    Clients,
    Contacts,
    Employees,
}

fn kind_id_column(kind: Kind) -> &'static str {
    match kind {
        Kind::Clients => "client_id",
        Kind::Contacts => "contact_id",
        Kind::Employees => "employee_id",
    }
}

impl<D: Directory + TicketStore + KeptResults + CallMeRequests + Uploads, L: FileLinks> Api<D, L> {
    /// Bulk upsert from CSV whose header names the same fields as the JSON bodies, plus the
    /// record's id (`id`, or `client_id` / `contact_id` / `employee_id`). Each line is validated
    /// and stored like a PUT (so contacts and employees keep their Telegram links in step), a
    /// few at a time; a bad line is reported and the rest still imported. At most
    /// [`IMPORT_MAX_ROWS`] lines (413 above, before anything is written), so an import ends well
    /// inside the API's 30 s. Repeating an import stores the same records again: same result.
    pub(super) async fn import(&self, kind: Kind, body: &[u8], now: DateTime<Utc>) -> ApiResult {
        let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(body);
        let header = reader.headers().map_err(|e| Refusal::BadBody(format!("CSV header: {e}")))?.clone();
        let id_column = ["id", kind_id_column(kind)]
            .into_iter()
            .find_map(|name| header.iter().position(|h| h == name))
            .ok_or_else(|| {
                Refusal::Invalid(format!("the CSV header needs an \"id\" or \"{}\" column", kind_id_column(kind)))
            })?;
        let mut rows = vec![];
        let mut rejected = vec![];
        for (count, record) in reader.records().enumerate() {
            if count >= IMPORT_MAX_ROWS {
                return Err(Refusal::TooLarge(format!(
                    "an import takes at most {IMPORT_MAX_ROWS} lines; split the file"
                )));
            }
            match record {
                Ok(record) => rows.push(record),
                Err(error) => {
                    let line = error.position().map_or(0, |p| p.line());
                    rejected.push((line, format!("unreadable CSV: {error}")));
                }
            }
        }
        // One id twice in a file would race with itself; the first line wins, the rest are refused.
        let mut first_line = std::collections::HashMap::new();
        let mut unique = vec![];
        for row in rows {
            let line = row.position().map_or(0, |p| p.line());
            let id = row.get(id_column).unwrap_or_default().to_owned();
            match first_line.get(&id) {
                Some(first) => rejected.push((line, format!("id {id:?} is already on line {first}"))),
                None => {
                    first_line.insert(id, line);
                    unique.push(row);
                }
            }
        }
        let clients = self.known_clients(kind, &header, &unique).await?;
        let (header, clients) = (&header, &clients);
        let outcomes: Vec<LineOutcome> = if matches!(kind, Kind::Contacts) {
            self.import_contacts(header, id_column, clients, unique, now).await?
        } else {
            futures_util::stream::iter(unique)
                .map(|row| async move {
                    let line = row.position().map_or(0, |p| p.line());
                    (line, self.import_row(kind, header, id_column, clients, &row, now).await.map(drop))
                })
                .buffered(IMPORT_CONCURRENCY)
                .collect()
                .await
        };
        let mut imported = 0usize;
        for (line, outcome) in outcomes {
            match outcome {
                Ok(_) => imported += 1,
                Err(
                    Refusal::Invalid(reason)
                    | Refusal::NotFound(reason)
                    | Refusal::Unknown(reason)
                    | Refusal::Inactive(reason)
                    | Refusal::BadBody(reason),
                ) => {
                    rejected.push((line, reason));
                }
                Err(Refusal::Store(StoreError::Conflict)) => {
                    rejected.push((line, "the record changed concurrently; import the line again".into()));
                }
                Err(other) => return Err(other),
            }
        }
        rejected.sort_by_key(|(line, _)| *line);
        let rejected: Vec<Value> =
            rejected.into_iter().map(|(line, reason)| json!({"line": line, "reason": reason})).collect();
        Ok(ApiResponse::ok(json!({"imported": imported, "rejected": rejected})))
    }

    /// Contacts in few writes: the lines validated, the links read in batches, then up to
    /// [`PUT_CONTACTS_MAX`] contacts per transaction, each on condition of its link as read.
    /// A batch that lost a race (a link made meanwhile) is stored line by line again.
    async fn import_contacts(
        &self,
        header: &csv::StringRecord,
        id_column: usize,
        clients: &std::collections::HashMap<String, bool>,
        rows: Vec<csv::StringRecord>,
        now: DateTime<Utc>,
    ) -> Result<Vec<LineOutcome>, Refusal> {
        let mut outcomes = vec![];
        let mut valid = vec![];
        for row in &rows {
            let line = row.position().map_or(0, |p| p.line());
            match self.contact_line(header, id_column, clients, row) {
                Ok(contact) => valid.push((line, contact)),
                Err(refusal) => outcomes.push((line, Err(refusal))),
            }
        }
        let ids: Vec<String> = valid.iter().map(|(_, contact)| contact.id.clone()).collect();
        let existing = self.directory.get_contacts(&ids).await?;
        let valid: Vec<(u64, ContactWrite)> = valid
            .into_iter()
            .map(|(line, contact)| {
                let before = existing.get(&contact.id);
                (line, linked_as_before(contact, before))
            })
            .collect();
        let batches: Vec<Result<Vec<LineOutcome>, Refusal>> =
            futures_util::stream::iter(valid.chunks(PUT_CONTACTS_MAX).map(<[_]>::to_vec).collect::<Vec<_>>())
                .map(|batch| self.put_contact_batch(batch, now))
                .buffered(IMPORT_CONCURRENCY)
                .collect()
                .await;
        let batches: Vec<Vec<LineOutcome>> = batches.into_iter().collect::<Result<_, _>>()?;
        outcomes.extend(batches.into_iter().flatten());
        Ok(outcomes)
    }

    /// One transaction of contacts; after a lost race, each alone.
    async fn put_contact_batch(
        &self,
        batch: Vec<(u64, ContactWrite)>,
        now: DateTime<Utc>,
    ) -> Result<Vec<LineOutcome>, Refusal> {
        let contacts: Vec<ContactWrite> = batch.iter().map(|(_, write)| write.clone()).collect();
        match self.directory.put_contacts(&contacts, now).await {
            Ok(_) => Ok(batch.iter().map(|(line, _)| (*line, Ok(()))).collect()),
            Err(StoreError::Conflict) => {
                let mut one_by_one = vec![];
                for (line, (contact, _)) in &batch {
                    one_by_one.push((*line, self.put_contact_again(contact, now).await));
                }
                Ok(one_by_one)
            }
            Err(other) => Err(Refusal::Store(other)),
        }
    }

    /// A contact line's fields, validated.
    fn contact_line(
        &self,
        header: &csv::StringRecord,
        id_column: usize,
        clients: &std::collections::HashMap<String, bool>,
        record: &csv::StringRecord,
    ) -> Result<Contact, Refusal> {
        let field = |name: &str| {
            header.iter().position(|h| h == name).and_then(|i| record.get(i)).map(str::to_owned).unwrap_or_default()
        };
        let active =
            parse_bool(&field("active"), true).map_err(|reason| Refusal::Invalid(format!("active: {reason}")))?;
        let input = ContactInput { name: field("name"), phone: field("phone"), client_id: field("client_id"), active };
        let client_known = clients.get(&input.client_id).copied().unwrap_or(false);
        self.contact_of(record.get(id_column).unwrap_or_default(), input, client_known)
    }

    /// One contact of a batch that lost a race: its link read again, then stored alone.
    async fn put_contact_again(&self, contact: &Contact, now: DateTime<Utc>) -> Result<(), Refusal> {
        let existing = self.directory.get_contact(&contact.id).await?;
        let (contact, linked) = linked_as_before(contact.clone(), existing.as_ref());
        self.directory.put_contact(&contact, linked, now).await?;
        Ok(())
    }

    /// Which of the clients the contacts of an import name exist (read once each).
    async fn known_clients(
        &self,
        kind: Kind,
        header: &csv::StringRecord,
        rows: &[csv::StringRecord],
    ) -> Result<std::collections::HashMap<String, bool>, Refusal> {
        let mut known = std::collections::HashMap::new();
        let Some(column) = header.iter().position(|h| h == "client_id").filter(|_| matches!(kind, Kind::Contacts))
        else {
            return Ok(known);
        };
        for id in rows.iter().filter_map(|row| row.get(column)) {
            if !known.contains_key(id) {
                let exists = valid_id(id) && self.directory.get_client(id).await?.is_some();
                known.insert(id.to_owned(), exists);
            }
        }
        Ok(known)
    }

    async fn import_row(
        &self,
        kind: Kind,
        header: &csv::StringRecord,
        id_column: usize,
        clients: &std::collections::HashMap<String, bool>,
        record: &csv::StringRecord,
        now: DateTime<Utc>,
    ) -> ApiResult {
        let field = |name: &str| {
            header.iter().position(|h| h == name).and_then(|i| record.get(i)).map(str::to_owned).unwrap_or_default()
        };
        let id = record.get(id_column).unwrap_or_default().to_owned();
        match kind {
            Kind::Clients => {
                let vip =
                    parse_bool(&field("vip"), false).map_err(|reason| Refusal::Invalid(format!("vip: {reason}")))?;
                let manager = Some(field("manager_id")).filter(|m| !m.is_empty());
                self.put_client(&id, ClientInput { name: field("name"), manager_id: manager, vip }).await
            }
            Kind::Contacts => {
                let contact = self.contact_line(header, id_column, clients, record)?;
                self.put_contact_again(&contact, now).await.map(|()| ApiResponse::ok(contact_json(&contact)))
            }
            Kind::Employees => match parse_bool(&field("active"), true) {
                Ok(active) => {
                    let phone = Some(field("phone")).filter(|p| !p.is_empty());
                    self.put_employee(&id, EmployeeInput { name: field("name"), phone, active }).await
                }
                Err(reason) => Err(Refusal::Invalid(format!("active: {reason}"))),
            },
        }
    }
}

//! The notifier: reads the TicketsTable stream and tells people about changes to their tickets.
//!
//! Foundation stage: it accepts stream batches and reports no failures; the notifications
//! themselves come with the ticket API.

use aws_lambda_events::dynamodb::Event;
use aws_lambda_events::streams::DynamoDbEventResponse;

pub struct Notifier;

impl Notifier {
    pub async fn handle(&self, event: Event) -> DynamoDbEventResponse {
        tracing::info!(records = event.records.len(), "stream batch received");
        DynamoDbEventResponse::default()
    }
}

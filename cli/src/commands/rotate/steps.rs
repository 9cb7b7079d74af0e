//! `rotate`'s steps once a replacement exists, in order, each journaled so that a rerun
//! continues from the last one done: the old key's guardrail assigned to the replacement,
//! the assignment read back, the new secret checked with `GET /key`, and only then the old
//! key retired. The replacement's secret is handed out (the secrets file) only once it holds
//! its guardrail (`RowState::handed_out`), so no secret of a key with wider access than the
//! one it replaces leaves the journal.
//!
//! Verification: `GET /key` with the new secret must succeed and answer the new key's label.
//! `GET /key` returns no hash; that the label (the redacted key) identifies the key is our
//! inference, not a documented fact.

use crate::batch::{Journal, KeyHash, Record, Row, RowState, RowSteps, StepFailure};
use crate::cli::Then;
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::exit::ItemOutcome;
use openrouter_keys::{ApiErrorKind, ExposeSecret, KeySource, KeyUpdate, SecretString};
use std::path::Path;

/// What `rotate` does with a row once its replacement exists: each [`Step`] in order, each
/// journaled.
pub struct RotationSteps<'a> {
    pub then: Then,
    pub secrets: &'a Path,
}

/// One step of a rotation after the replacement exists. A new step is a variant here, in
/// [`STEPS`] where it belongs, with the journal record that says it is done
/// (`batch/journal.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The replacement assigned the old key's guardrail (`assigned`); nothing to do for a key
    /// that held none.
    Assign,
    /// The account's assignments, read back, show the replacement holding it
    /// (`assignment_verified`); from then on its secret may be handed out.
    CheckAssignment,
    /// `GET /key` with the new secret answers the new key's label (`verified`).
    Verify,
    /// The old key disabled, deleted or kept (`retired`); only once the new one is verified.
    Retire,
}

/// The steps, in the order each row goes through them.
const STEPS: [Step; 4] = [
    Step::Assign,
    Step::CheckAssignment,
    Step::Verify,
    Step::Retire,
];

impl Step {
    /// Whether the journal says this step of `row` is done (or has nothing to do).
    fn done(self, row: &Row<KeyHash>, state: &RowState) -> bool {
        let unguarded = row.spec.guardrail_id.is_none();
        match self {
            Step::Assign => unguarded || state.assigned || state.assignment_verified,
            Step::CheckAssignment => unguarded || state.assignment_verified,
            Step::Verify => state.verified,
            Step::Retire => state.retired,
        }
    }
}

impl RowSteps<KeyHash> for RotationSteps<'_> {
    fn pending(&self, row: &Row<KeyHash>, state: &RowState) -> bool {
        STEPS.iter().any(|step| !step.done(row, state))
    }

    async fn run(
        &self,
        ctx: &Context,
        journal: &Journal<KeyHash>,
        row: &Row<KeyHash>,
    ) -> Result<(), StepFailure> {
        for step in STEPS {
            let done = journal
                .state()
                .row(&row.id)
                .is_some_and(|s| step.done(row, s));
            if done {
                continue;
            }
            let result = match step {
                Step::Assign => self.assign(ctx, journal, row).await,
                Step::CheckAssignment => self.check_assignment(ctx, journal, row).await,
                Step::Verify => self.verify(ctx, journal, &row.id).await,
                Step::Retire => self.retire(ctx, journal, &row.id).await,
            };
            result.map_err(|error| {
                // A replacement that works is half a rotation: the old key's failure to retire
                // is its own line.
                let verified = journal.state().row(&row.id).is_some_and(|s| s.verified);
                let outcome = if verified {
                    ItemOutcome::Partly
                } else {
                    ItemOutcome::Failed(error.exit())
                };
                StepFailure { error, outcome }
            })?;
        }
        Ok(())
    }
}

impl RotationSteps<'_> {
    /// The replacement of `row` assigned the old key's guardrail (`assigned`). Assigning is
    /// safe to repeat (it replaces what the key held: `openapi/POLICY.md`), so a run that
    /// died before recording it assigns again.
    async fn assign(
        &self,
        ctx: &Context,
        journal: &Journal<KeyHash>,
        row: &Row<KeyHash>,
    ) -> CliResult<()> {
        let (guardrail, new_hash) = guarded_replacement(journal, row)?;
        assign_guardrail(ctx, journal, row, &guardrail, &new_hash).await?;
        journal.append(Record::Assigned {
            row: row.id.clone(),
            guardrail,
        })
    }

    /// The account's assignments, read back, show the replacement of `row` holding its
    /// guardrail (`assignment_verified`). When they show it holding none or another, it is
    /// assigned again, once (the first assignment was undone, or never took), and read back
    /// again; a second miss stops the row, its old key untouched.
    async fn check_assignment(
        &self,
        ctx: &Context,
        journal: &Journal<KeyHash>,
        row: &Row<KeyHash>,
    ) -> CliResult<()> {
        let (guardrail, new_hash) = guarded_replacement(journal, row)?;
        let mut held = held_guardrail(ctx, journal, row, &new_hash).await?;
        if held.as_deref() != Some(guardrail.as_str()) {
            assign_guardrail(ctx, journal, row, &guardrail, &new_hash).await?;
            held = held_guardrail(ctx, journal, row, &new_hash).await?;
        }
        if held.as_deref() != Some(guardrail.as_str()) {
            let holds = held.map_or_else(|| "none".to_string(), |id| format!("guardrail {id}"));
            return Err(CliError::failure(format!(
                "the replacement {new_hash} of {} does not hold guardrail {guardrail}, the old \
                 key's, after it was assigned (the assignments show {holds}); {}",
                row.id,
                withheld(journal)
            ))
            .hint(
                "rerun the same command to assign it again; a replacement without the old \
                 key's guardrail would have wider access than the key it replaces",
            ));
        }
        journal.append(Record::AssignmentVerified {
            row: row.id.clone(),
        })
    }

    /// The replacement of `old` answers `GET /key` with its own label (`verified`).
    async fn verify(
        &self,
        ctx: &Context,
        journal: &Journal<KeyHash>,
        old: &KeyHash,
    ) -> CliResult<()> {
        let (new_hash, secret, label) = {
            let state = journal.state();
            let row = state.row(old);
            let Some((hash, secret)) = row.and_then(|r| r.key()) else {
                return Err(CliError::failure(format!("no replacement for {old} yet")));
            };
            (
                hash.clone(),
                secret.clone(),
                row.and_then(|r| r.label.clone()),
            )
        };
        verify(ctx, &new_hash, &secret, label, self.secrets).await?;
        journal.append(Record::Verified { row: old.clone() })
    }

    /// `old` disabled, deleted or kept, as `--then` says (`retired`). A 404 is the step
    /// done: the key is gone, deleted by an earlier run whose record of it was lost (a crash,
    /// an answer cut off), or by someone else.
    async fn retire(
        &self,
        ctx: &Context,
        journal: &Journal<KeyHash>,
        old: &KeyHash,
    ) -> CliResult<()> {
        let keys = ctx.client()?.keys();
        let done = match self.then {
            Then::Disable => ctx
                .pace
                .paced(keys.update(old.as_str(), KeyUpdate::new().disabled(true)))
                .await
                .map(drop),
            Then::Delete => ctx.pace.paced(keys.delete(old.as_str())).await,
            Then::Keep => Ok(()),
        };
        match done {
            Ok(()) => {}
            Err(e) if e.as_api().is_some_and(|a| a.kind == ApiErrorKind::NotFound) => {
                ctx.print.note(format_args!(
                    "{old} was already {}: no key has this hash any more",
                    match self.then {
                        Then::Delete => "deleted",
                        _ => "deleted (nothing to disable)",
                    }
                ));
            }
            Err(e) => {
                let what = format!("cannot {} old key {old}", self.then.verb());
                return Err(ctx.api_error(&what, &e));
            }
        }
        journal.append(Record::Retired {
            row: old.clone(),
            action: self.then,
        })?;
        let new_hash = journal
            .state()
            .row(old)
            .and_then(|r| r.key())
            .map(|k| k.0.clone());
        ctx.print
            .record(format_args!("{old} -> {}", new_hash.unwrap_or_default()));
        Ok(())
    }
}

/// The key of a verifying call, as messages about it being refused name it ("the API key
/// created as the replacement").
fn new_key_source() -> KeySource {
    KeySource::Described("created as the replacement".to_string())
}

/// `GET /key` with the new secret answers the new key's label: the label the create
/// answered, as the journal keeps it (read with `GET /keys/{hash}` for a journal of an earlier
/// version, which did not keep it).
async fn verify(
    ctx: &Context,
    new_hash: &str,
    secret: &SecretString,
    label: Option<String>,
    secrets: &Path,
) -> CliResult<()> {
    let expected = match label {
        Some(label) => Some(label),
        None => {
            ctx.pace
                .paced(ctx.client()?.keys().get(new_hash))
                .await
                .map_err(|e| ctx.api_error(&format!("cannot read the new key {new_hash}"), &e))?
                .label
        }
    };
    let as_new = ctx.client_for(secret.expose_secret(), new_key_source())?;
    // A key may take a moment to be accepted everywhere (our caution, not a documented
    // delay): a 401 is asked again twice, after a pause.
    let mut attempt = 0;
    let current = loop {
        attempt += 1;
        match ctx.pace.paced(as_new.current_key()).await {
            Ok(current) => break current,
            Err(e)
                if attempt < 3
                    && e.as_api()
                        .is_some_and(|a| a.kind == ApiErrorKind::Unauthorized) =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(500 * attempt)).await;
            }
            // Refused: the new secret does not work.
            Err(e)
                if e.as_api()
                    .is_some_and(|a| a.kind == ApiErrorKind::Unauthorized) =>
            {
                return Err(crate::sdk_error::render(
                    &format!(
                        "the new key {new_hash} does not authenticate; the old key was left alone"
                    ),
                    &e,
                    as_new.key_source(),
                ));
            }
            // Anything else (a 5xx, a timeout) says nothing about the new secret.
            Err(e) => {
                return Err(crate::sdk_error::render(
                    &format!(
                        "could not verify the new key {new_hash} (GET /key with its secret \
                         failed; the old key was left untouched; the new secret is saved in {}; \
                         rerun the same command to verify again)",
                        secrets.display()
                    ),
                    &e,
                    as_new.key_source(),
                ));
            }
        }
    };
    // When the API sends no label on either side, a successful GET /key is the check.
    if let (Some(seen), Some(expected)) = (&current.label, &expected)
        && seen != expected
    {
        return Err(CliError::failure(format!(
            "the new key {new_hash} authenticated as another key (label {seen} instead of \
             {expected}); the old key was left alone"
        )));
    }
    Ok(())
}

/// The guardrail `row`'s replacement is to hold, and the replacement's hash.
fn guarded_replacement(
    journal: &Journal<KeyHash>,
    row: &Row<KeyHash>,
) -> CliResult<(String, String)> {
    let new_hash = journal
        .state()
        .row(&row.id)
        .and_then(|s| s.key().map(|(hash, _)| hash.clone()))
        .ok_or_else(|| CliError::failure(format!("no replacement for {} yet", row.id)))?;
    let guardrail =
        row.spec.guardrail_id.clone().ok_or_else(|| {
            CliError::failure(format!("the old key {} held no guardrail", row.id))
        })?;
    Ok((guardrail, new_hash))
}

/// `POST /guardrails/{id}/assignments/keys` for the replacement.
async fn assign_guardrail(
    ctx: &Context,
    journal: &Journal<KeyHash>,
    row: &Row<KeyHash>,
    guardrail: &str,
    new_hash: &str,
) -> CliResult<()> {
    let assign = ctx
        .client()?
        .guardrails()
        .assign_keys(guardrail, [new_hash]);
    ctx.pace.paced(assign).await.map(drop).map_err(|e| {
        let what = format!(
            "cannot assign guardrail {guardrail}, the old key's, to the replacement {new_hash} \
             of {}; {}",
            row.id,
            withheld(journal)
        );
        ctx.api_error(&what, &e).hint(format!(
            "rerun the same command to try again; if the guardrail is gone for good, delete the \
             replacement (`openrouter-keys delete {new_hash}`): without it, the replacement \
             would have wider access than the key it replaces"
        ))
    })
}

/// The guardrail the replacement holds, as the account's assignments say.
async fn held_guardrail(
    ctx: &Context,
    journal: &Journal<KeyHash>,
    row: &Row<KeyHash>,
    new_hash: &str,
) -> CliResult<Option<String>> {
    let read = ctx.client()?.guardrails().assignment_of(new_hash);
    let held = ctx.pace.paced(read).await.map_err(|e| {
        let what = format!(
            "cannot read back the guardrail of the replacement {new_hash} of {}; {}",
            row.id,
            withheld(journal)
        );
        ctx.api_error(&what, &e)
            .hint("rerun the same command to read it again")
    })?;
    Ok(held.map(|assignment| assignment.guardrail_id))
}

/// What holds while a replacement's guardrail is not in place.
fn withheld(journal: &Journal<KeyHash>) -> String {
    format!(
        "the old key was left alone, and the replacement's secret is withheld (it is only in \
         the journal {} until the replacement holds the guardrail)",
        journal.path().display()
    )
}

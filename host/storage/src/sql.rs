//! Small helpers for building runtime SQL with `$N` placeholders (accepted by both SQLite and PostgreSQL).

use sqlx::any::{Any, AnyArguments};
use sqlx::query::Query;
use sqlx::{Arguments, AssertSqlSafe};

use crate::error::{Result, StorageError};

/// A bound value.
#[derive(Debug, Clone)]
pub(crate) enum Val {
    Int(i64),
    Text(String),
}

/// One cell of a multi-row `VALUES` list.
#[derive(Debug, Clone)]
pub(crate) enum Cell {
    /// A bound value.
    Bind(Val),
    /// SQL `NULL`.
    Null,
    /// `(SELECT id FROM transactions WHERE hash = $n)`.
    TxIdOf(String),
}

/// Converts a block number / timestamp / amount to the stored signed form.
pub(crate) fn int(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| StorageError::InvalidBatch {
        reason: format!("value {v} does not fit in 63 bits"),
    })
}

pub(crate) fn cell_int(v: u64) -> Result<Cell> {
    Ok(Cell::Bind(Val::Int(int(v)?)))
}

pub(crate) fn cell_text(v: impl Into<String>) -> Cell {
    Cell::Bind(Val::Text(v.into()))
}

/// Rows per multi-row INSERT: ≤ 14 columns × 500 rows stays far below SQLite's 32,766 bind parameters.
pub(crate) const ROWS_PER_STATEMENT: usize = 500;

/// Builds `INSERT INTO <head> VALUES (...),(...) <tail>` for a chunk of rows.
pub(crate) fn multi_insert(
    head: &str,
    tail: &str,
    rows: &[Vec<Cell>],
) -> Result<(String, AnyArguments)> {
    let mut sql = String::with_capacity(64 + rows.len() * 64);
    sql.push_str("INSERT INTO ");
    sql.push_str(head);
    sql.push_str(" VALUES ");
    let mut args = AnyArguments::default();
    let mut n = 0usize;
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            sql.push(',');
        }
        sql.push('(');
        for (j, cell) in row.iter().enumerate() {
            if j > 0 {
                sql.push(',');
            }
            match cell {
                Cell::Null => sql.push_str("NULL"),
                Cell::Bind(v) => {
                    n += 1;
                    sql.push('$');
                    sql.push_str(&n.to_string());
                    add(&mut args, v.clone())?;
                }
                Cell::TxIdOf(hash) => {
                    n += 1;
                    sql.push_str("(SELECT id FROM transactions WHERE hash = $");
                    sql.push_str(&n.to_string());
                    sql.push(')');
                    add(&mut args, Val::Text(hash.clone()))?;
                }
            }
        }
        sql.push(')');
    }
    sql.push(' ');
    sql.push_str(tail);
    Ok((sql, args))
}

fn add(args: &mut AnyArguments, v: Val) -> Result<()> {
    let r = match v {
        Val::Int(i) => args.add(i),
        Val::Text(s) => args.add(s),
    };
    r.map_err(|e| StorageError::Sqlx(sqlx::Error::Encode(e)))
}

/// A query over runtime-built SQL with pre-built arguments.
pub(crate) fn query_with(sql: String, args: AnyArguments) -> Query<'static, Any, AnyArguments> {
    sqlx::query_with(AssertSqlSafe(sql), args)
}

namespace Fundament.Data.Sqlite;

/// <summary>
/// One caller's write transaction inside a group of <see cref="SqliteWriter"/>: a savepoint while the
/// caller holds the writer, then — once committed — a promise kept when the group's COMMIT is durable.
/// </summary>
internal sealed class SqliteGroupMember(SqliteWriter writer)
{
    private readonly TaskCompletionSource _durable = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WriteTransaction? _transaction;
    private ExecutionContext? _context;
    private bool _holdsWriter = true;
    private bool _released;

    /// <summary>
    /// Releases the savepoint into the group, hands the writer on and waits for the group's COMMIT.
    /// The token is observed only before the savepoint is released: after that the write may commit
    /// with the group, and a caller told "cancelled" could retry a write that happened.
    /// </summary>
    public async Task CommitAsync(WriteTransaction transaction, CancellationToken cancellationToken)
    {
        if (_released || !_holdsWriter)
        {
            throw new InvalidOperationException("This write transaction has already completed.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        writer.ReleaseSavepoint();
        _released = true;
        _transaction = transaction;
        // OnCommitted actions run on the committing thread; they keep this caller's logging scope and
        // activity by running in its execution context.
        _context = ExecutionContext.Capture();
        _holdsWriter = false;
        writer.EndTurn(this);
        await _durable.Task;
    }

    /// <summary>Rolls back this member's savepoint only, unless it was already released into the group.</summary>
    public ValueTask RollbackAsync()
    {
        if (!_released && _holdsWriter)
        {
            writer.RollBackSavepoint();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Hands the writer on if this member still holds it (it was not committed).</summary>
    public ValueTask ReleaseWriterAsync()
    {
        if (_holdsWriter)
        {
            _holdsWriter = false;
            writer.EndTurn(null);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Rows the member appended (<see cref="WriteTransaction.Append"/>), for the group to write before its COMMIT.</summary>
    public List<AppendedRows>? Appended => _transaction?.Appended;

    /// <summary>
    /// Called by the committer, in commit order, once the group is durable (<paramref name="failure"/>
    /// null) or lost: runs the OnCommitted actions, then lets <see cref="CommitAsync"/> return.
    /// </summary>
    public void Complete(Exception? failure)
    {
        if (failure is null)
        {
            try
            {
                if (_context is null)
                {
                    _transaction!.RunCommittedActions();
                }
                else
                {
                    ExecutionContext.Run(_context, static state => ((WriteTransaction)state!).RunCommittedActions(), _transaction);
                }
            }
            catch (Exception ex)
            {
                // As without grouping, an action that throws surfaces from CommitAsync after the commit;
                // it must not stop the other members' actions.
                failure = ex;
            }
        }

        if (failure is null)
        {
            _durable.TrySetResult();
        }
        else
        {
            _durable.TrySetException(failure);
        }
    }
}

"""The online gate: check → reserve → record outcome over the store, atomically per debtor, failing closed
(`service.Gate`). Rules are not here: every answer comes from `faircollect.policy.engine`."""

"""The bottom layer: small helpers of no domain (dates, form errors, references).

Every app may import `core`; `core` imports no app of the project (the import contract in
`.importlinter` checks it).
"""

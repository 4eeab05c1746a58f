-- Test filter: does not return a table.
return 42

-- Test filter: keeps a node in a global and touches it in the next run.
return {
  Document = function(doc, ctx)
    if SAVED then local t = SAVED.type end
    SAVED = doc
  end,
}

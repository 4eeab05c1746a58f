-- Test filter: a syntax error on line 3.
return {
  Text = function(node ctx) end,
}

-- Test filter: appending a node under itself.
return {
  Div = function(node, ctx)
    local inner = node.children[1]
    inner.children = {node}
  end,
}

-- Test filter: a block handler returning an inline.
return {
  Heading = function(node, ctx)
    return course.Text("oops")
  end,
}

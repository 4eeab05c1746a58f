-- Sandbox test: io
return {
  Document = function(doc, ctx)
    local f = io.open("/etc/hostname")
  end,
}

-- Test filter: require of a file in the same folder.
local helper = require("helper")
return {
  Document = function(doc, ctx) ctx.warn(nil, "helper says " .. helper.hello()) end,
}

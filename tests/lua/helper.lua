-- Test helper module for req.lua.
return { hello = function() return "hi" end }

-- wrk script: revalidate like a browser. Each connection sends If-None-Match with the ETag of the
-- last 200 it received; done() prints how many answers were 304, 200 or anything else.
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   etag = nil
   not_modified, ok, other = 0, 0, 0
end

function request()
   if etag then
      -- The headers given with -H (a browser's Accept-Encoding), plus the ETag.
      local headers = { ["If-None-Match"] = etag }
      for name, value in pairs(wrk.headers) do
         headers[name] = headers[name] or value
      end
      return wrk.format(nil, nil, headers)
   end
   return wrk.format()
end

function response(status, headers, body)
   if status == 304 then
      not_modified = not_modified + 1
   elseif status == 200 then
      ok = ok + 1
      etag = headers["ETag"] or headers["etag"]
   else
      other = other + 1
   end
end

function done(summary, latency, requests)
   local a, b, c = 0, 0, 0
   for _, thread in ipairs(threads) do
      a = a + thread:get("not_modified")
      b = b + thread:get("ok")
      c = c + thread:get("other")
   end
   io.write(string.format("conditional answers: 304 %d, 200 %d, other %d\n", a, b, c))
end

SETTINGS = { "limit" => 3 }
LIMIT = SETTINGS.fetch("limt")

def two_sum(nums, target)
  [0, 1]
end

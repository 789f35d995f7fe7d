def merge_intervals(intervals)
  intervals.sort.each_with_object([]) do |(start, finish), merged|
    if !merged.empty? && start <= merged.last[1]
      merged.last[1] = [merged.last[1], finish].max
    else
      merged << [start, finish]
    end
  end
end

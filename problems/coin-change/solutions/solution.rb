def coin_change(coins, amount)
  impossible = amount + 1
  fewest = Array.new(amount + 1, impossible) # fewest[a] = coins needed for amount a
  fewest[0] = 0
  coins.each do |coin|
    (coin..amount).each do |a|
      candidate = fewest[a - coin] + 1
      fewest[a] = candidate if candidate < fewest[a]
    end
  end
  fewest[amount] == impossible ? -1 : fewest[amount]
end

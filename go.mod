module snapshotter

go 1.26.8

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/go-echarts/go-echarts/v2 v2.6.7
	github.com/robfig/cron/v3 v3.0.1
	github.com/shopspring/decimal v1.6.0
)

// Flywheel.Campaigns: journeys, broadcasts, channels and the durable send queue (issue "Engage").

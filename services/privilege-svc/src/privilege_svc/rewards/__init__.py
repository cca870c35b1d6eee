"""The rewards mall (积分换购) and flash sales (秒杀): goods, services and coupons bought with points."""

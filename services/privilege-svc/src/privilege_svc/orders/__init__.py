"""Service orders (服务订单): booking a privilege, its merchant-driven status, ratings and complaints."""
